// Gradient checkpointing as torch/utils/checkpoint.py's CheckpointFunction (use_reentrant=True,
// preserve_rng_state=True), written as a C++ autograd Function.
#include "afinar/models/checkpoint.h"

#include <ATen/Context.h>

#include <atomic>
#include <mutex>
#include <set>
#include <utility>

#include "afinar/core/check.h"
#include "afinar/models/modeling.h"

namespace afinar {

namespace {

std::atomic<int64_t> g_forwards{0}, g_recomputes{0};

// Keeps the std::function alive in ctx->saved_data until backward (an IValue holds only
// intrusive_ptr-counted custom objects).
struct FnHolder : torch::CustomClassHolder {
  explicit FnHolder(CheckpointFn f) : fn(std::move(f)) {}
  CheckpointFn fn;
};

// The states of the generators fn may draw from: the CPU one, and the default CUDA generator of
// every CUDA device an input lives on (as torch's get_device_states). Dropout on a CUDA tensor
// draws from its device's generator, so both must be rewound for the recompute.
struct RngStates {
  torch::Tensor cpu;
  std::vector<std::pair<c10::DeviceIndex, torch::Tensor>> cuda;
};

at::Generator generator_of(c10::Device device) {
  return at::globalContext().defaultGenerator(device);
}

torch::Tensor get_state(at::Generator gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_state(at::Generator gen, const torch::Tensor& state) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

RngStates capture(const std::set<c10::DeviceIndex>& cuda_devices) {
  RngStates s;
  s.cpu = get_state(generator_of(c10::Device(c10::kCPU)));
  for (c10::DeviceIndex d : cuda_devices) s.cuda.emplace_back(d, get_state(generator_of(c10::Device(c10::kCUDA, d))));
  return s;
}

void restore(const RngStates& s) {
  set_state(generator_of(c10::Device(c10::kCPU)), s.cpu);
  for (const auto& [d, state] : s.cuda) set_state(generator_of(c10::Device(c10::kCUDA, d)), state);
}

std::set<c10::DeviceIndex> cuda_devices_of(const std::vector<torch::Tensor>& xs) {
  std::set<c10::DeviceIndex> out;
  for (const auto& x : xs)
    if (x.defined() && x.is_cuda()) out.insert(x.get_device());
  return out;
}

// ctx->saved_data keys.
constexpr const char* kFn = "fn";
constexpr const char* kCpuState = "cpu_rng";
constexpr const char* kCudaDevices = "cuda_devices";
constexpr const char* kCudaStates = "cuda_rng";

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, CheckpointFn fn,
                                                at::TensorList inputs) {
    std::vector<torch::Tensor> in(inputs.begin(), inputs.end());
    RngStates rng = capture(cuda_devices_of(in));  // before fn draws its dropout masks
    ctx->saved_data[kCpuState] = rng.cpu;
    std::vector<int64_t> devices;
    std::vector<torch::Tensor> states;
    for (const auto& [d, state] : rng.cuda) {
      devices.push_back(d);
      states.push_back(state);
    }
    ctx->saved_data[kCudaDevices] = devices;
    ctx->saved_data[kCudaStates] = states;
    ctx->save_for_backward(in);
    // Undefined incoming gradients (an output nothing used) stay undefined: nothing to backpropagate.
    ctx->set_materialize_grads(false);

    std::vector<torch::Tensor> out;
    {
      torch::NoGradGuard no_grad;  // the point: no activation of fn is kept
      out = fn(in);
    }
    ctx->saved_data[kFn] = c10::IValue::make_capsule(c10::make_intrusive<FnHolder>(std::move(fn)));
    ++g_forwards;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto holder = c10::static_intrusive_pointer_cast<FnHolder>(ctx->saved_data.at(kFn).toCapsule());
    std::vector<torch::Tensor> saved = ctx->get_saved_variables();
    // Fresh leaves: the recompute's graph ends at them, and their .grad is the inputs' gradient.
    std::vector<torch::Tensor> leaves;
    leaves.reserve(saved.size());
    for (const auto& x : saved) leaves.push_back(x.detach().requires_grad_(x.requires_grad()));

    RngStates at_forward;
    at_forward.cpu = ctx->saved_data.at(kCpuState).toTensor();
    std::vector<int64_t> devices = ctx->saved_data.at(kCudaDevices).toIntVector();
    std::vector<torch::Tensor> states = ctx->saved_data.at(kCudaStates).toTensorVector();
    std::set<c10::DeviceIndex> device_set;
    for (size_t i = 0; i < devices.size(); ++i) {
      at_forward.cuda.emplace_back(static_cast<c10::DeviceIndex>(devices[i]), states[i]);
      device_set.insert(static_cast<c10::DeviceIndex>(devices[i]));
    }

    // fork_rng: replay forward's random numbers, then put the generators back where backward found them.
    RngStates now = capture(device_set);
    std::vector<torch::Tensor> out;
    try {
      restore(at_forward);
      torch::AutoGradMode grad(true);  // the engine runs backward with grad mode off
      out = holder->fn(leaves);
    } catch (...) {
      restore(now);
      throw;
    }
    restore(now);
    ++g_recomputes;

    AFINAR_CHECK(out.size() == grad_outputs.size(), "checkpoint: the recompute returned ", out.size(),
                 " tensors, the forward ", grad_outputs.size());
    std::vector<torch::Tensor> roots, grads;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!grad_outputs[i].defined() || !out[i].requires_grad()) continue;
      roots.push_back(out[i]);
      grads.push_back(grad_outputs[i]);
    }
    if (!roots.empty()) torch::autograd::backward(roots, grads);

    // One gradient per forward argument: none for fn, then one per input.
    torch::autograd::variable_list result{torch::Tensor()};
    for (const auto& leaf : leaves) result.push_back(leaf.requires_grad() ? leaf.grad() : torch::Tensor());
    return result;
  }
};

}  // namespace

std::vector<torch::Tensor> checkpoint(CheckpointFn fn, const std::vector<torch::Tensor>& inputs) {
  bool any_requires_grad = false;
  for (const auto& x : inputs) {
    AFINAR_CHECK(x.defined(), "checkpoint: inputs must be defined tensors (HINT: capture optional ones in fn)");
    any_requires_grad = any_requires_grad || x.requires_grad();
  }
  // Reentrant checkpointing records nothing when no input requires grad (transformers warns that the
  // parameters then get no gradient); run fn as is instead: same numbers, no memory saved.
  if (!torch::GradMode::is_enabled() || !any_requires_grad) return fn(inputs);
  return CheckpointFunction::apply(std::move(fn), at::TensorList(inputs));
}

int64_t checkpoint_forward_count() {
  return g_forwards.load();
}
int64_t checkpoint_recompute_count() {
  return g_recomputes.load();
}

namespace {
// The layer stacks (GradientCheckpointing mixins) among `model` and its submodules.
std::vector<GradientCheckpointing*> stacks_of(torch::nn::Module& model) {
  std::vector<GradientCheckpointing*> out;
  if (auto* s = dynamic_cast<GradientCheckpointing*>(&model)) out.push_back(s);
  for (const auto& m : model.modules(/*include_self=*/false))
    if (auto* s = dynamic_cast<GradientCheckpointing*>(m.get())) out.push_back(s);
  return out;
}
}  // namespace

void PreTrainedModelImpl::gradient_checkpointing_enable(bool on) {
  std::vector<GradientCheckpointing*> stacks = stacks_of(*this);
  if (on && stacks.empty())
    AFINAR_NOT_IMPLEMENTED("gradient checkpointing: ", name(), " has no layer stack that supports it");
  for (auto* s : stacks) s->gradient_checkpointing = on;
}

bool PreTrainedModelImpl::is_gradient_checkpointing() {
  for (auto* s : stacks_of(*this))
    if (s->gradient_checkpointing) return true;
  return false;
}

}  // namespace afinar
