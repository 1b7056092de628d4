// What the Trainer's two files share: timing, HF's speed metrics, the FLOP count's parameter
// total, and HF's DefaultFlowCallback (when to log, evaluate and save).
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace afinar {
class PreTrainedModelImpl;
struct TrainingArguments;
struct TrainerState;
struct TrainerControl;
}  // namespace afinar

namespace afinar::trainer_util {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t);
/// Seconds since the program started ("time to first step" counts from there).
double seconds_since_start();
double round_to(double x, int digits);

/// transformers' speed_metrics: <prefix>_runtime rounded to 4 digits, rates to 3.
void add_speed_metrics(std::map<std::string, double>& m, const std::string& prefix, double runtime, double samples,
                       int64_t steps);

/// transformers' num_parameters(exclude_embeddings=True): parameters outside nn.Embedding modules
/// (the 6·N·tokens FLOP estimate of total_flos).
int64_t num_non_embedding_parameters(PreTrainedModelImpl& model);

/// DefaultFlowCallback.on_step_end: should_log / should_evaluate / should_save for this step, and
/// at max_steps should_training_stop (with a last evaluation and save for step strategies).
void flow_on_step_end(const TrainingArguments& args, const TrainerState& state, TrainerControl& control);
/// DefaultFlowCallback.on_epoch_end: the epoch strategies.
void flow_on_epoch_end(const TrainingArguments& args, TrainerControl& control);

}  // namespace afinar::trainer_util
