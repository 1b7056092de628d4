// One fine-tuning task of `afinar train` / `afinar predict`: a Hugging Face example script
// (run_classification.py, run_ner.py, run_mlm.py, run_clm.py, run_translation.py,
// run_summarization.py, run_qa.py) as a class — its flags, preprocessing, auto model class,
// collator, metrics and output files. Every task is listed once, in registry.cpp.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/train/callbacks.h"
#include "afinar/train/training_args.h"
#include "task_flags.h"

namespace afinar::cli {

/// The flags every task's script shares (ModelArguments + the common DataTrainingArguments).
struct ScriptArguments {
  std::string model_name_or_path, tokenizer_name;
  std::string dataset_name, train_file, validation_file, test_file;
  int64_t max_train_samples = -1, max_eval_samples = -1, max_predict_samples = -1;
  bool freeze_base_model = false;
  int64_t freeze_layers = 0;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks;  ///< from flags (early stopping)
};

/// The flags of `afinar predict` every task shares.
struct PredictArguments {
  std::string model_name_or_path, test_file, output_file = "logits.npy";
  std::optional<int64_t> max_seq_length;
  int64_t per_device_eval_batch_size = 8;
  bool use_cpu = false;
};

enum class Command { Train, Predict };

class Task {
 public:
  virtual ~Task() = default;
  /// The --task name (Hugging Face's pipeline task name).
  virtual std::string_view name() const = 0;
  /// One line for --help: the script it reproduces.
  virtual std::string_view description() const = 0;
  /// The task's own flags for `command`, into `flags` (shared with the other tasks: a flag two
  /// tasks take is registered once and bound to both).
  virtual void add_flags(TaskFlags& flags, Command command) = 0;
  virtual void train(const ScriptArguments& script, TrainingArguments args) = 0;
  virtual void predict(const PredictArguments& args) = 0;
};

/// Every task, in --help order (registry.cpp).
const std::vector<std::unique_ptr<Task>>& all_tasks();
/// The task named `name`; InvalidArgument listing the tasks otherwise.
Task& find_task(std::string_view name);

}  // namespace afinar::cli
