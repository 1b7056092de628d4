#include "trainer_util.h"

#include <torch/torch.h>

#include <cmath>
#include <set>

#include "afinar/models/modeling.h"
#include "afinar/train/callbacks.h"
#include "afinar/train/training_args.h"

namespace afinar::trainer_util {
namespace {
// Set while the program loads: "time to first step" counts from here (bench/compare_hf).
const Clock::time_point kProcessStart = Clock::now();
}  // namespace

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double seconds_since_start() { return seconds_since(kProcessStart); }

double round_to(double x, int digits) {
  const double p = std::pow(10.0, digits);
  return std::round(x * p) / p;
}

void add_speed_metrics(std::map<std::string, double>& m, const std::string& prefix, double runtime, double samples,
                       int64_t steps) {
  m[prefix + "_runtime"] = round_to(runtime, 4);
  m[prefix + "_samples_per_second"] = round_to(samples / runtime, 3);
  m[prefix + "_steps_per_second"] = round_to(static_cast<double>(steps) / runtime, 3);
}

int64_t num_non_embedding_parameters(PreTrainedModelImpl& model) {
  std::set<const void*> embedding;
  for (const auto& m : model.modules(/*include_self=*/false))
    if (auto* e = dynamic_cast<torch::nn::EmbeddingImpl*>(m.get())) embedding.insert(e->weight.unsafeGetTensorImpl());
  int64_t n = 0;
  std::set<const void*> seen;  // a tied parameter counts once
  for (const auto& p : model.parameters())
    if (!embedding.count(p.unsafeGetTensorImpl()) && seen.insert(p.unsafeGetTensorImpl()).second) n += p.numel();
  return n;
}

void flow_on_step_end(const TrainingArguments& args, const TrainerState& state, TrainerControl& control) {
  const int64_t gs = state.global_step;
  if (gs == 1 && args.logging_first_step) control.should_log = true;
  if (args.logging_strategy == "steps" && gs % state.logging_steps == 0) control.should_log = true;
  if (args.eval_strategy == "steps" && gs % state.eval_steps == 0) control.should_evaluate = true;
  if (args.save_strategy == "steps" && state.save_steps > 0 && gs % state.save_steps == 0) control.should_save = true;
  if (gs >= state.max_steps) {
    control.should_training_stop = true;
    // transformers 5: a last evaluation and checkpoint at the end of step-based runs.
    if (args.eval_strategy == "steps" && gs % state.eval_steps != 0) control.should_evaluate = true;
    if (args.save_strategy == "steps") control.should_save = true;
  }
}

void flow_on_epoch_end(const TrainingArguments& args, TrainerControl& control) {
  if (args.logging_strategy == "epoch") control.should_log = true;
  if (args.eval_strategy == "epoch") control.should_evaluate = true;
  if (args.save_strategy == "epoch") control.should_save = true;
}

}  // namespace afinar::trainer_util
