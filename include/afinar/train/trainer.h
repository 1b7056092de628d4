/// Trainer: train / evaluate / predict, with transformers' semantics and names.
///
///   afinar::Trainer trainer(model, args, collator, &features["train"], &features["validation"]);
///   trainer.set_compute_metrics([] { return std::make_unique<afinar::AccuracyF1>(2); });
///   trainer.train();
///   auto out = trainer.predict(features["test"]);   // out.predictions: (N, num_labels) float32
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "afinar/collators/data_collator.h"
#include "afinar/models/modeling.h"
#include "afinar/train/callbacks.h"
#include "afinar/train/optimization.h"
#include "afinar/train/training_args.h"

namespace afinar {

class Tokenizer;

/// A metric accumulated batch by batch (bounded memory): the Trainer feeds logits and labels.
class MetricAccumulator {
 public:
  virtual ~MetricAccumulator() = default;
  /// (B, C) and (B) for sequence heads; (B, T, C) and (B, T) for token heads (-100 = ignored).
  virtual void add(const torch::Tensor& logits, const torch::Tensor& labels) = 0;
  virtual std::map<std::string, double> compute() const = 0;
};
using ComputeMetrics = std::function<std::unique_ptr<MetricAccumulator>()>;

/// accuracy + f1 of argmax(logits), the seed notebook's compute_metrics.
ComputeMetrics accuracy_f1_metrics(int64_t num_labels);
/// run_ner's compute_metrics: seqeval over argmax(logits) per token, -100 positions dropped, ids
/// named by `label_names`. Keys: precision, recall, f1, accuracy (overall); with
/// `return_entity_level_metrics`: <TYPE>_precision/_recall/_f1/_number and overall_*.
///
///   trainer.set_compute_metrics(afinar::seqeval_metrics({"O", "B-PER", "I-PER"}));
ComputeMetrics seqeval_metrics(std::vector<std::string> label_names, bool return_entity_level_metrics = false);

/// Thrown when a training loss is NaN or ±Inf: the message names the step (global_step + 1, the
/// update that would have used it), the epoch and the batch. Training stops before that update.
struct NonFiniteLossError : std::runtime_error {
  explicit NonFiniteLossError(const std::string& what) : std::runtime_error(what) {}
};

struct TrainOutput {
  int64_t global_step = 0;
  double training_loss = 0;
  std::map<std::string, double> metrics;  ///< train_runtime, train_samples_per_second, …
};

struct PredictionOutput {
  /// (N, num_labels) float32 logits; token heads: (N, T, num_labels), T the longest batch, shorter
  /// batches padded with -100 (HF's nested_concat)
  torch::Tensor predictions;
  torch::Tensor label_ids;  ///< (N) or (N, T) int64 (-100 padded), undefined when the data has no labels
  std::map<std::string, double> metrics;
};

class Trainer {
 public:
  /// `callbacks` get on_init_end; report_to adds TensorBoardCallback ("tensorboard", "all") and
  /// CSVLoggerCallback ("csv": output_dir/log_history.csv).
  Trainer(PreTrainedModel model, TrainingArguments args, std::shared_ptr<const DataCollator> collator,
          const Examples* train_dataset = nullptr, const Examples* eval_dataset = nullptr,
          const Tokenizer* processing_class = nullptr, std::vector<std::shared_ptr<TrainerCallback>> callbacks = {});

  void set_compute_metrics(ComputeMetrics fn) { compute_metrics_ = std::move(fn); }
  void add_callback(std::shared_ptr<TrainerCallback> cb) { callbacks_.push_back(std::move(cb)); }

  TrainOutput train();
  /// Metrics prefixed "eval_" (loss, runtime, samples/s, and compute_metrics' values).
  std::map<std::string, double> evaluate(const Examples* eval_dataset = nullptr, const std::string& prefix = "eval");
  PredictionOutput predict(const Examples& test_dataset, const std::string& prefix = "test");
  /// Model (+ tokenizer) into `dir`: config.json, model.safetensors, tokenizer files.
  void save_model(const std::string& dir) const;

  const TrainerState& state() const { return state_; }
  const TrainingArguments& args() const { return args_; }
  torch::Device device() const { return device_; }
  /// The training order of one epoch (HF: randperm(n) seeded with data_seed|seed + epoch). With
  /// train_sampling_strategy group_by_length: get_length_grouped_indices over the lengths (the
  /// length_column_name label column, else len(input_ids)) with batch size train × accumulation,
  /// from a generator seeded the same way (HF draws it from the global generator instead, so
  /// afinar's order stays a function of seed and epoch, which exact resume needs).
  std::vector<int64_t> epoch_order(int64_t epoch, int64_t n) const;
  /// Test hook: called with the current train batch size before every training forward; throwing
  /// c10::OutOfMemoryError from it simulates an OOM (auto_find_batch_size).
  void set_before_forward_hook(std::function<void(int64_t batch_size)> hook) { before_forward_ = std::move(hook); }
  TrainerControl& control() { return control_; }

 private:
  ModelInputs to_inputs(const Batch& b) const;
  TrainOutput inner_train(int64_t batch_size);
  /// The model's loss for a batch: the model's own, or HF's label smoother when label_smoothing_factor > 0.
  /// With `num_items_in_batch` and token-level labels: sum of the token losses / num_items_in_batch.
  torch::Tensor compute_loss(ModelInputs in, ModelOutputs& out, std::optional<double> num_items_in_batch = std::nullopt);
  /// evaluate() inside training: also steps reduce_lr_on_plateau with metric_for_best_model.
  void evaluate_during_training();
  template <typename F>
  void each_callback(F&& f) {
    for (auto& cb : callbacks_) f(*cb);
  }
  std::map<std::string, double> run_eval(const Examples& data, const std::string& prefix, torch::Tensor* all_logits,
                                         torch::Tensor* all_labels);
  void log(std::map<std::string, double> logs);
  void save_checkpoint();
  void rotate_checkpoints() const;
  /// Restores model, optimizer, scheduler position, RNG and trainer state from a checkpoint.
  void load_checkpoint(const std::filesystem::path& dir);
  /// The folder named by args.resume_from_checkpoint ("true"/"latest" → newest in output_dir).
  std::filesystem::path resolve_checkpoint(const std::string& spec) const;
  void load_model_weights(const std::filesystem::path& dir);

  PreTrainedModel model_;
  TrainingArguments args_;
  std::shared_ptr<const DataCollator> collator_;
  const Examples* train_ = nullptr;
  const Examples* eval_ = nullptr;
  const Tokenizer* tokenizer_ = nullptr;
  ComputeMetrics compute_metrics_;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks_;
  TrainerState state_;
  torch::Device device_{torch::kCPU};
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<LRScheduler> scheduler_;
  TrainerControl control_;
  bool shifts_labels_ = false;  ///< causal LM: labels shifted by one in the loss
  std::function<void(int64_t)> before_forward_;
  double time_to_first_step_ = 0;
  std::map<std::string, double> last_eval_;  ///< metrics of the latest evaluation (best-model tracking)  ///< seconds from program start to the end of the first update
};

/// The device the Trainer uses: CUDA when present (and use_cpu is false), else CPU.
/// Loads LibTorch's CUDA backend on demand, so CPU-only machines need no CUDA libraries.
torch::Device select_device(bool use_cpu);

}  // namespace afinar
