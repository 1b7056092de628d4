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
  virtual void add(const torch::Tensor& logits, const torch::Tensor& labels) = 0;  ///< (B, C), (B)
  virtual std::map<std::string, double> compute() const = 0;
};
using ComputeMetrics = std::function<std::unique_ptr<MetricAccumulator>()>;

/// accuracy + f1 of argmax(logits), the seed notebook's compute_metrics.
ComputeMetrics accuracy_f1_metrics(int64_t num_labels);

struct TrainOutput {
  int64_t global_step = 0;
  double training_loss = 0;
  std::map<std::string, double> metrics;  ///< train_runtime, train_samples_per_second, …
};

struct PredictionOutput {
  torch::Tensor predictions;  ///< (N, num_labels) float32 logits
  torch::Tensor label_ids;    ///< (N) int64, undefined when the data has no labels
  std::map<std::string, double> metrics;
};

class Trainer {
 public:
  Trainer(PreTrainedModel model, TrainingArguments args, std::shared_ptr<const DataCollator> collator,
          const Examples* train_dataset = nullptr, const Examples* eval_dataset = nullptr,
          const Tokenizer* processing_class = nullptr);

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
  /// The training order of one epoch (HF: randperm(n) seeded with data_seed|seed + epoch).
  std::vector<int64_t> epoch_order(int64_t epoch, int64_t n) const;

 private:
  ModelInputs to_inputs(const Batch& b) const;
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
  double time_to_first_step_ = 0;
  std::map<std::string, double> last_eval_;  ///< metrics of the latest evaluation (best-model tracking)  ///< seconds from program start to the end of the first update
};

/// The device the Trainer uses: CUDA when present (and use_cpu is false), else CPU.
/// Loads LibTorch's CUDA backend on demand, so CPU-only machines need no CUDA libraries.
torch::Device select_device(bool use_cpu);

}  // namespace afinar
