/// TrainingArguments: every hyperparameter of a Trainer run, with transformers' names and defaults.
///
/// Every field of transformers' TrainingArguments is known (src/train/training_args_fields.inc,
/// generated from the Python class). Fields afinar honours are typed members below; any other
/// field is accepted only at its default — setting it to something else is refused with a message
/// naming the field, never silently ignored.
///
///   afinar::TrainingArguments args("model-trainer-checkpoint");
///   args.set("learning_rate", "2e-5");            // from a CLI flag or a YAML/JSON value
///   args.finalize();                               // HF's validation rules and derived values
///   std::cout << args.to_json().dump(2);
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace afinar {

struct TrainingArguments {
  explicit TrainingArguments(std::string output_dir = "trainer_output");

  std::string output_dir;
  bool do_train = false, do_eval = false, do_predict = false;
  std::string eval_strategy = "no";  ///< no | steps | epoch (alias: evaluation_strategy)
  std::optional<double> eval_steps;  ///< int, or a ratio of max_steps when < 1; unset = logging_steps
  int64_t per_device_train_batch_size = 8;
  int64_t per_device_eval_batch_size = 8;
  int64_t gradient_accumulation_steps = 1;
  double learning_rate = 5e-5;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;
  std::string lr_scheduler_type = "linear";  ///< any of LRScheduler::types()
  /// Extra schedule arguments, e.g. {"num_cycles": 3}; from a CLI flag as a JSON string (as HF).
  nlohmann::json lr_scheduler_kwargs = nullptr;
  double warmup_steps = 0;                  ///< int, or a ratio of the total steps when in (0, 1)
  std::string optim = "adamw_torch_fused";  ///< adamw_torch | adamw_torch_fused | adagrad | adafactor | sgd
  double label_smoothing_factor = 0.0;      ///< HF's LabelSmoother epsilon, 0 = off
  /// Mixed precision (train/autocast.h): forward and loss under autocast in bfloat16 / float16,
  /// float32 master weights and optimizer state; fp16 with dynamic loss scaling (train/grad_scaler.h).
  bool bf16 = false, fp16 = false;
  /// Evaluation and prediction with the model itself in bfloat16 / float16 (outside training).
  bool bf16_full_eval = false, fp16_full_eval = false;
  /// TF32 matmuls on CUDA (Ampere or newer); unset = torch's default.
  std::optional<bool> tf32;
  std::string logging_strategy = "steps";
  double logging_steps = 500;
  bool logging_first_step = false;
  bool logging_nan_inf_filter = true;
  std::string save_strategy = "steps";
  double save_steps = 500;
  std::optional<int64_t> save_total_limit;
  int64_t seed = 42;
  std::optional<int64_t> data_seed;
  bool dataloader_drop_last = false;
  bool disable_tqdm = false;
  bool use_cpu = false;
  std::string train_sampling_strategy = "random";  ///< random | sequential | group_by_length
  std::string length_column_name = "length";       ///< precomputed lengths for group_by_length
  /// Logging sinks: none | all | tensorboard | csv (afinar's CSV logger); others are refused by name.
  std::vector<std::string> report_to;
  bool auto_find_batch_size = false;  ///< halve the batch size on out-of-memory and restart
  std::optional<std::string> run_name;
  /// A checkpoint folder, or "true"/"latest" for the newest checkpoint-N in output_dir.
  std::optional<std::string> resume_from_checkpoint;
  bool load_best_model_at_end = false;
  bool full_determinism = false;                     ///< deterministic kernels (torch.use_deterministic_algorithms)
  std::optional<std::string> metric_for_best_model;  ///< default "loss" when load_best_model_at_end
  std::optional<bool> greater_is_better;             ///< default: false for *loss, true otherwise
  /// Recompute each layer's activations in backward instead of keeping them (less memory, about
  /// one more forward of time); losses and gradients are unchanged. See checkpoint.h.
  bool gradient_checkpointing = false;
  /// null or {"use_reentrant": true|false}: both give the same numbers in afinar (its checkpoint is
  /// the reentrant one, and every checkpointed layer has a grad-requiring input or runs plainly);
  /// any other key is refused. From a CLI flag as a JSON string (as HF).
  nlohmann::json gradient_checkpointing_kwargs = nullptr;

  // afinar's own settings (no transformers field: not set by set(), not in to_json()).
  /// Run the model padding-free (PreTrainedModelImpl::padding_free; TRL's SFTConfig name): the
  /// same numbers as the padded batch, without its padding FLOPs. false = transformers' padded rectangles.
  bool padding_free = true;
  /// Token-budget training batches (HF has no such flag): batches of at most this many padded
  /// tokens (rows × longest row) instead of per_device_train_batch_size rows — the sampler's
  /// token_budget strategy (seeded megabatches sorted by length, cut under the budget, shuffled);
  /// steps per epoch then follow the data. Unset = HF's fixed-size batches.
  std::optional<int64_t> max_tokens_per_batch;

  /// Sets a field from a string (CLI flag, YAML scalar). Unknown names → InvalidArgument;
  /// known but unsupported at a non-default value → NotImplemented naming the field.
  void set(const std::string& name, const std::string& value);
  /// Sets a field from a JSON value (TrainingArguments.to_json_string() output).
  void set_json(const std::string& name, const nlohmann::json& value);
  /// Every field name, HF's order (for CLI flags and help).
  static std::vector<std::string> field_names();
  /// Loads what Python's `TrainingArguments.to_json_string()` writes.
  static TrainingArguments from_json(const nlohmann::json& j, const std::string& origin = "<json>");

  /// Applies HF's validation rules; throws InvalidArgument quoting the rule on contradictions.
  void finalize();
  /// All fields, as Python's to_json_string() would print them.
  nlohmann::json to_json() const;

  /// Steps given as a ratio (< 1) are resolved against the total number of optimizer steps.
  int64_t resolve_steps(double steps, int64_t max_steps_total) const;

 private:
  nlohmann::json others_;  ///< every known field afinar keeps at its default
};

}  // namespace afinar
