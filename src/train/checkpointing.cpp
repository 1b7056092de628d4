// checkpoint-N folders: atomic write, exact restore, discovery and HF's rotation rule.
#include "afinar/train/checkpointing.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <regex>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/grad_scaler.h"
#include "afinar/train/optimization.h"
#include "afinar/train/sampler.h"
#include "afinar/train/trainer_state.h"
#include "afinar/train/training_args.h"

namespace afinar {
namespace {

nlohmann::json read_json(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(file.string(), ": not valid JSON: ", e.what()));
  }
}

/// Every generator a resumed run draws from: the global CPU one (dropout, head init) and each
/// CUDA device's.
io::TensorMap rng_states() {
  io::TensorMap rng{{"cpu", at::detail::getDefaultCPUGenerator().get_state()}};
  if (torch::cuda::is_available())
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d)
      rng["cuda:" + std::to_string(d)] =
          at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(d))).get_state();
  return rng;
}

void restore_rng(const fs::path& file) {
  const io::TensorMap rng = io::load_safetensors(file);
  AFINAR_CHECK_FORMAT(rng.count("cpu"), file.string(), ": no 'cpu' generator state");
  at::Generator cpu = at::detail::getDefaultCPUGenerator();
  cpu.set_state(rng.at("cpu"));
  for (const auto& [name, state] : rng) {
    if (name.rfind("cuda:", 0) != 0 || !torch::cuda::is_available()) continue;
    const auto d = static_cast<c10::DeviceIndex>(std::stoi(name.substr(5)));
    if (d < static_cast<c10::DeviceIndex>(torch::cuda::device_count())) {
      at::Generator gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, d));
      gen.set_state(state);
    }
  }
}

int64_t checkpoint_number(const fs::path& p) {
  static const std::regex re("checkpoint-([0-9]+)");
  std::smatch m;
  const std::string name = p.filename().string();
  return std::regex_match(name, m, re) ? std::stoll(m[1]) : -1;
}

}  // namespace

void save_checkpoint(const fs::path& dir, const CheckpointParts& p) {
  fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
  AtomicDir out(dir);
  if (p.model) p.model->save_pretrained(out.path());
  if (p.tokenizer) p.tokenizer->save_pretrained(out.path());
  if (p.state) p.state->save_to_json(out.path() / "trainer_state.json");
  if (p.args) write_file_atomic(out.path() / "training_args.json", p.args->to_json().dump(2) + "\n");
  if (p.scheduler || p.state) {
    nlohmann::json sched{{"last_epoch", p.state ? p.state->global_step : 0}};
    if (p.scheduler && p.scheduler->is_plateau()) sched["reduce_lr_on_plateau"] = p.scheduler->state_dict();
    write_file_atomic(out.path() / "scheduler.json", sched.dump() + "\n");
  }
  if (p.optimizer) io::save_safetensors(out.path() / "optimizer.safetensors", p.optimizer->state_dict());
  if (p.sampler) write_file_atomic(out.path() / "sampler.json", p.sampler->state_dict().dump(2) + "\n");
  if (p.scaler) write_file_atomic(out.path() / "scaler.json", p.scaler->state_dict().dump(2) + "\n");
  io::save_safetensors(out.path() / "rng_state.safetensors", rng_states());
  out.commit();
}

void load_model_weights(PreTrainedModelImpl& model, const fs::path& dir) {
  // model.safetensors, or the shards of model.safetensors.index.json (save_pretrained's max_shard_size).
  io::TensorMap w = io::load_checkpoint_weights(dir);
  torch::NoGradGuard no_grad;
  for (auto& p : model.named_parameters()) {
    auto it = w.find(p.key());
    AFINAR_CHECK_FORMAT(it != w.end(), dir.string(), ": no tensor '", p.key(), "' in the checkpoint's weights");
    AFINAR_CHECK_FORMAT(it->second.sizes() == p.value().sizes(), dir.string(), ": '", p.key(), "' has shape ",
                        it->second.sizes(), ", the model has ", p.value().sizes());
    p.value().copy_(it->second);
  }
}

void load_checkpoint(const fs::path& dir, const CheckpointParts& p) {
  AFINAR_CHECK(fs::is_directory(dir), "resume_from_checkpoint: no such folder '", dir.string(), "'");
  if (p.model) load_model_weights(*p.model, dir);
  if (p.state) {
    const TrainerState saved = TrainerState::load_from_json(dir / "trainer_state.json");
    // The run's own settings (max_steps, batch size, step intervals) stay; its progress is restored.
    p.state->global_step = saved.global_step;
    p.state->epoch = saved.epoch;
    p.state->total_flos = saved.total_flos;
    p.state->num_input_tokens_seen = saved.num_input_tokens_seen;
    p.state->log_history = saved.log_history;
    p.state->best_metric = saved.best_metric;
    p.state->best_global_step = saved.best_global_step;
    p.state->best_model_checkpoint = saved.best_model_checkpoint;
  }
  if (p.optimizer && fs::exists(dir / "optimizer.safetensors"))
    p.optimizer->load_state_dict(io::load_safetensors(dir / "optimizer.safetensors"));
  if (p.scheduler && p.scheduler->is_plateau() && fs::exists(dir / "scheduler.json")) {
    const nlohmann::json sched = read_json(dir / "scheduler.json");
    AFINAR_CHECK_FORMAT(sched.contains("reduce_lr_on_plateau"), (dir / "scheduler.json").string(),
                        ": no reduce_lr_on_plateau state (was the run started with another lr_scheduler_type?)");
    p.scheduler->load_state_dict(sched["reduce_lr_on_plateau"]);
  }
  if (fs::exists(dir / "rng_state.safetensors")) restore_rng(dir / "rng_state.safetensors");
  if (p.scaler && fs::exists(dir / "scaler.json")) {  // as HF's _load_scaler: when the checkpoint has one
    try {
      p.scaler->load_state_dict(read_json(dir / "scaler.json"));
    } catch (const FormatError& e) {
      throw FormatError(detail::concat((dir / "scaler.json").string(), ": ", e.what()));
    }
  }
  if (p.sampler && fs::exists(dir / "sampler.json")) {
    try {
      p.sampler->load_state_dict(read_json(dir / "sampler.json"));
    } catch (const InvalidArgument& e) {
      throw FormatError(detail::concat((dir / "sampler.json").string(), ": ", e.what()));
    }
  }
}

std::vector<fs::path> sorted_checkpoints(const fs::path& output_dir) {
  std::vector<std::pair<int64_t, fs::path>> found;
  if (fs::is_directory(output_dir))
    for (const auto& e : fs::directory_iterator(output_dir))
      if (const int64_t n = checkpoint_number(e.path()); e.is_directory() && n >= 0) found.emplace_back(n, e.path());
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [n, p] : found) out.push_back(std::move(p));
  return out;
}

fs::path resolve_checkpoint(const std::string& spec, const fs::path& output_dir) {
  if (spec != "true" && spec != "True" && spec != "latest") {
    AFINAR_CHECK(fs::is_directory(spec), "resume_from_checkpoint: no such folder '", spec, "'");
    return spec;
  }
  const auto all = sorted_checkpoints(output_dir);
  AFINAR_CHECK(!all.empty(), "resume_from_checkpoint: no checkpoint-N folder in ", output_dir.string());
  return all.back();
}

void rotate_checkpoints(const fs::path& output_dir, std::optional<int64_t> save_total_limit,
                        const std::optional<std::string>& best_model_checkpoint) {
  if (!save_total_limit || *save_total_limit <= 0) return;
  const std::vector<fs::path> sorted = sorted_checkpoints(output_dir);
  if (static_cast<int64_t>(sorted.size()) <= *save_total_limit) return;
  // HF's rotate_checkpoints: the newest (for resuming) and the best are never deleted; the oldest
  // others go until save_total_limit (or the protected ones) remain.
  auto is_best = [&](const fs::path& p) {
    return best_model_checkpoint && p.filename() == fs::path(*best_model_checkpoint).filename();
  };
  const int64_t protected_count = best_model_checkpoint && !is_best(sorted.back()) ? 2 : 1;
  const int64_t keep = std::max(*save_total_limit, protected_count);
  auto remaining = static_cast<int64_t>(sorted.size());
  for (size_t i = 0; i + 1 < sorted.size() && remaining > keep; ++i) {
    if (is_best(sorted[i])) continue;
    fs::remove_all(sorted[i]);
    --remaining;
  }
}

void keep_only_best_checkpoint(const fs::path& output_dir, const std::string& best_model_checkpoint) {
  for (const auto& p : sorted_checkpoints(output_dir))
    if (p.filename() != fs::path(best_model_checkpoint).filename()) fs::remove_all(p);
}

}  // namespace afinar
