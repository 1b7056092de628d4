#include "afinar/train/optimization.h"

#include <cmath>
#include <numbers>

#include "afinar/core/check.h"
#include "afinar/train/training_args.h"

namespace afinar {

bool uses_weight_decay(const std::string& name) {
  return name.find("bias") == std::string::npos && name.find("LayerNorm") == std::string::npos &&
         name.find("layer_norm") == std::string::npos && name.find("layernorm") == std::string::npos;
}

void Optimizer::zero_grad() {
  for (auto& g : groups_)
    for (auto& p : g.params)
      if (p.grad().defined()) p.mutable_grad() = torch::Tensor();  // set_to_none, as PyTorch's default
}

namespace {

// AdamW over two parameter groups. State per parameter: exp_avg, exp_avg_sq (as p) and the step
// count as a float32 scalar tensor, as PyTorch keeps it for the fused and foreach paths.
class AdamW : public Optimizer {
 public:
  AdamW(const TrainingArguments& a, bool fused) : fused_(fused), b1_(a.adam_beta1), b2_(a.adam_beta2), eps_(a.adam_epsilon) {
    lr_ = a.learning_rate;
  }

  void init_state() {
    for (auto& g : groups_) {
      State s;
      for (auto& p : g.params) {
        s.exp_avg.push_back(torch::zeros_like(p));
        s.exp_avg_sq.push_back(torch::zeros_like(p));
        s.steps.push_back(torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(p.device())));
      }
      state_.push_back(std::move(s));
    }
  }

  void step() override {
    torch::NoGradGuard ng;
    for (size_t gi = 0; gi < groups_.size(); ++gi) {
      auto& g = groups_[gi];
      auto& s = state_[gi];
      std::vector<torch::Tensor> params, grads, m, v, steps;
      for (size_t i = 0; i < g.params.size(); ++i) {
        if (!g.params[i].grad().defined()) continue;
        params.push_back(g.params[i]);
        grads.push_back(g.params[i].grad());
        m.push_back(s.exp_avg[i]);
        v.push_back(s.exp_avg_sq[i]);
        steps.push_back(s.steps[i]);
      }
      if (params.empty()) continue;
      at::_foreach_add_(steps, 1);
      if (fused_) {
        at::_fused_adamw_(params, grads, m, v, {}, steps, lr_, b1_, b2_, g.weight_decay, eps_,
                          /*amsgrad=*/false, /*maximize=*/false, std::nullopt, std::nullopt);
        continue;
      }
      // PyTorch's _multi_tensor_adamw (capturable=False): decoupled weight decay, then Adam.
      if (g.weight_decay != 0) at::_foreach_mul_(params, 1 - lr_ * g.weight_decay);
      at::_foreach_lerp_(m, grads, 1 - b1_);
      at::_foreach_mul_(v, b2_);
      at::_foreach_addcmul_(v, grads, grads, 1 - b2_);
      for (size_t i = 0; i < params.size(); ++i) {
        const double t = steps[i].item<double>();
        const double bc1 = 1 - std::pow(b1_, t), bc2 = 1 - std::pow(b2_, t);
        const double step_size = lr_ / bc1;
        auto denom = (v[i].sqrt() / std::sqrt(bc2)).add_(eps_);
        params[i].addcdiv_(m[i], denom, -step_size);
      }
    }
  }

  std::map<std::string, torch::Tensor> state_dict() const override {
    std::map<std::string, torch::Tensor> out;
    for (size_t gi = 0; gi < groups_.size(); ++gi)
      for (size_t i = 0; i < groups_[gi].names.size(); ++i) {
        const auto& n = groups_[gi].names[i];
        out[n + ".exp_avg"] = state_[gi].exp_avg[i];
        out[n + ".exp_avg_sq"] = state_[gi].exp_avg_sq[i];
        out[n + ".step"] = state_[gi].steps[i];
      }
    return out;
  }

  void load_state_dict(const std::map<std::string, torch::Tensor>& st) override {
    torch::NoGradGuard ng;
    for (size_t gi = 0; gi < groups_.size(); ++gi)
      for (size_t i = 0; i < groups_[gi].names.size(); ++i) {
        const auto& n = groups_[gi].names[i];
        for (auto [suffix, dst] : {std::pair{".exp_avg", &state_[gi].exp_avg[i]}, std::pair{".exp_avg_sq", &state_[gi].exp_avg_sq[i]},
                                   std::pair{".step", &state_[gi].steps[i]}}) {
          auto it = st.find(n + suffix);
          AFINAR_CHECK_FORMAT(it != st.end(), "optimizer state: missing '", n, suffix, "'");
          AFINAR_CHECK_FORMAT(it->second.sizes() == dst->sizes(), "optimizer state: '", n, suffix, "' has shape ",
                              it->second.sizes(), ", expected ", dst->sizes());
          dst->copy_(it->second);
        }
      }
  }

 private:
  struct State {
    std::vector<torch::Tensor> exp_avg, exp_avg_sq, steps;
  };
  bool fused_;
  double b1_, b2_, eps_;
  std::vector<State> state_;
};

// Plain SGD (momentum 0), transformers' "sgd".
class SGD : public Optimizer {
 public:
  explicit SGD(const TrainingArguments& a) { lr_ = a.learning_rate; }
  void step() override {
    torch::NoGradGuard ng;
    for (auto& g : groups_)
      for (auto& p : g.params) {
        if (!p.grad().defined()) continue;
        auto d = p.grad();
        if (g.weight_decay != 0) d = d.add(p, g.weight_decay);
        p.add_(d, -lr_);
      }
  }
  std::map<std::string, torch::Tensor> state_dict() const override { return {}; }
  void load_state_dict(const std::map<std::string, torch::Tensor>&) override {}
};

}  // namespace

std::unique_ptr<Optimizer> Optimizer::create(const TrainingArguments& a,
                                             const torch::OrderedDict<std::string, torch::Tensor>& params) {
  std::unique_ptr<Optimizer> opt;
  AdamW* adam = nullptr;
  if (a.optim == "adamw_torch_fused" || a.optim == "adamw_torch") {
    auto o = std::make_unique<AdamW>(a, a.optim == "adamw_torch_fused");
    adam = o.get();
    opt = std::move(o);
  } else if (a.optim == "sgd") {
    opt = std::make_unique<SGD>(a);
  } else {
    AFINAR_NOT_IMPLEMENTED("optim '", a.optim, "' (supported: adamw_torch_fused, adamw_torch, sgd)");
  }
  Group decay, no_decay;
  decay.weight_decay = a.weight_decay;
  for (const auto& item : params) {
    if (!item.value().requires_grad()) continue;
    Group& g = uses_weight_decay(item.key()) ? decay : no_decay;
    g.names.push_back(item.key());
    g.params.push_back(item.value());
  }
  opt->groups_ = {std::move(decay), std::move(no_decay)};
  if (adam) adam->init_state();
  return opt;
}

LRScheduler::LRScheduler(std::string type, double base_lr, int64_t warmup, int64_t total)
    : type_(std::move(type)), base_lr_(base_lr), warmup_(warmup), total_(total) {}

double LRScheduler::lr(int64_t step) const {
  const double s = static_cast<double>(step);
  if (type_ == "constant") return base_lr_;
  if (step < warmup_) return base_lr_ * s / std::max<double>(1.0, static_cast<double>(warmup_));
  if (type_ == "constant_with_warmup") return base_lr_;
  const double span = std::max<double>(1.0, static_cast<double>(total_ - warmup_));
  if (type_ == "linear") return base_lr_ * std::max(0.0, static_cast<double>(total_ - step) / span);
  if (type_ == "cosine") {
    const double progress = static_cast<double>(step - warmup_) / span;
    return base_lr_ * std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * 0.5 * 2.0 * progress)));
  }
  AFINAR_NOT_IMPLEMENTED("lr_scheduler_type '", type_, "'");
}

}  // namespace afinar
