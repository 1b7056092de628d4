/// Trainer: train / evaluate / predict, with transformers' semantics, names and seams.
///
/// The loop is HF's: each optimizer step collects its gradient-accumulation micro-batches from the
/// sampler (get_batch_samples), counts their loss items (num_items_in_batch), runs training_step
/// on each (compute_loss → the model's own loss → backward), then optimizer_step and
/// maybe_log_save_evaluate. The model's head computes every loss (label smoothing and
/// num_items_in_batch arrive in ModelInputs::loss_kwargs); the Trainer has no loss of its own.
/// Subclass and override a seam to change one step, as with HF's Trainer.
///
///   afinar::Trainer trainer(model, args, collator, &features["train"], &features["validation"]);
///   trainer.set_compute_metrics(afinar::accuracy_f1_metrics(2));
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
#include "afinar/metrics/compute_metrics.h"
#include "afinar/metrics/metric.h"
#include "afinar/models/batch.h"
#include "afinar/models/modeling.h"
#include "afinar/train/callbacks.h"
#include "afinar/train/grad_scaler.h"
#include "afinar/train/optimization.h"
#include "afinar/train/sampler.h"
#include "afinar/train/training_args.h"

namespace afinar {

class Tokenizer;

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

/// HF's PredictionOutput / EvalLoopOutput. Across batches, token-level outputs of different
/// lengths are padded with -100 (HF's nested_concat).
struct PredictionOutput {
  torch::Tensor predictions;               ///< (N, C) or (N, T, C) float32 logits; undefined for QA heads
  torch::Tensor start_logits, end_logits;  ///< (N, T) float32, question answering
  torch::Tensor label_ids;                 ///< (N) or (N, T) (-100 padded), undefined when the data has no labels
  std::map<std::string, double> metrics;
};

class Trainer {
 public:
  /// `callbacks` get on_init_end; report_to adds TensorBoardCallback ("tensorboard", "all") and
  /// CSVLoggerCallback ("csv": output_dir/log_history.csv). Arguments are finalized and every RNG
  /// seeded here, once.
  Trainer(PreTrainedModel model, TrainingArguments args, std::shared_ptr<const DataCollator> collator,
          const Examples* train_dataset = nullptr, const Examples* eval_dataset = nullptr,
          const Tokenizer* processing_class = nullptr, std::vector<std::shared_ptr<TrainerCallback>> callbacks = {});
  virtual ~Trainer() = default;

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
  TrainerControl& control() { return control_; }
  /// The training sampler for a per-device batch size (HF's _get_train_sampler +
  /// accelerate's sharding): train_sampling_strategy, data_seed|seed, dataloader_drop_last,
  /// group_by_length lengths (length_column_name, else len(input_ids)).
  BatchSampler train_sampler(int64_t batch_size) const;
  /// Test hook: called with the current train batch size before every training forward; throwing
  /// c10::OutOfMemoryError from it simulates an OOM (auto_find_batch_size).
  void set_before_forward_hook(std::function<void(int64_t batch_size)> hook) { before_forward_ = std::move(hook); }

 protected:
  // ---- HF's seams ----
  /// The head's loss for `inputs` (loss_kwargs set: label smoothing always, num_items_in_batch in
  /// training); `outputs`, when given, receives the model's outputs.
  virtual torch::Tensor compute_loss(ModelInputs inputs, std::optional<double> num_items_in_batch,
                                     ModelOutputs* outputs = nullptr);
  /// One micro-batch: compute_loss, the non-finite check, backward. Returns the detached loss.
  virtual torch::Tensor training_step(const ModelInputs& inputs, std::optional<double> num_items_in_batch);
  /// Clipping (returns the grad norm, 0 without max_grad_norm), the scheduler's lr, the
  /// optimizer's step and zero_grad.
  virtual double optimizer_step();
  /// HF's _maybe_log_save_evaluate: acts on control_'s should_log / should_evaluate / should_save.
  virtual void maybe_log_save_evaluate(double grad_norm, double learning_rate);
  /// HF's evaluation_loop: prediction_step over `data` in order, the mean loss (weighted by rows),
  /// the streamed metrics, and (keep_outputs) every batch's outputs concatenated.
  virtual PredictionOutput evaluation_loop(const Examples& data, const std::string& prefix, bool keep_outputs);
  /// One evaluation batch under no_grad: the outputs, and in `loss` the loss when there are labels.
  virtual ModelOutputs prediction_step(const ModelInputs& inputs, torch::Tensor* loss);

  PreTrainedModel model_;
  TrainingArguments args_;
  TrainerState state_;
  TrainerControl control_;
  torch::Device device_{torch::kCPU};
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<LRScheduler> scheduler_;
  /// The autocast dtype of forward + loss (bf16 / fp16 mixed precision), unset = full precision.
  std::optional<torch::ScalarType> autocast_dtype_;
  std::unique_ptr<GradScaler> scaler_;  ///< fp16's dynamic loss scaling (the running train() call's)
  bool in_train_ = false;               ///< HF's is_in_train: inside train()

 private:
  TrainOutput inner_train(int64_t batch_size);
  /// bf16 / fp16 / tf32 against the device, with transformers' refusals; sets autocast_dtype_.
  void configure_precision();
  /// The dtype the model is cast to for evaluation (--bf16_full_eval outside train()), else unset.
  std::optional<torch::ScalarType> full_eval_dtype() const;
  /// The step the LR schedule is at: global_step less the steps fp16 skipped (HF does not step
  /// its scheduler on them).
  int64_t schedule_step() const;
  /// HF's get_batch_samples: up to `n` micro-batches of the sampler's epoch, as model inputs, and
  /// their loss items (num_items_in_batch, nullopt when they have none).
  std::vector<ModelInputs> get_batch_samples(BatchSampler& sampler, int64_t n, std::optional<double>& num_items);
  /// evaluate() inside training: best metric, then ReduceLROnPlateau.
  void evaluate_during_training();
  void save_checkpoint();
  void log(std::map<std::string, double> logs);
  template <typename F>
  void each_callback(F&& f) {
    for (auto& cb : callbacks_) f(*cb);
  }

  std::shared_ptr<const DataCollator> collator_;
  const Examples* train_ = nullptr;
  const Examples* eval_ = nullptr;
  const Tokenizer* tokenizer_ = nullptr;
  ComputeMetrics compute_metrics_;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks_;
  std::unique_ptr<BatchSampler> sampler_;  ///< the running train() call's
  std::vector<torch::Tensor> trainable_;
  std::function<void(int64_t)> before_forward_;
  int64_t batch_size_ = 0;  ///< the running train() call's per-device batch size
  torch::Tensor tr_loss_;   ///< summed since the last log
  double total_loss_ = 0;
  int64_t last_logged_ = 0;
  double time_to_first_step_ = 0;
};

/// The device the Trainer uses: CUDA when present (and use_cpu is false), else CPU.
/// Loads LibTorch's CUDA backend on demand, so CPU-only machines need no CUDA libraries.
torch::Device select_device(bool use_cpu);

}  // namespace afinar
