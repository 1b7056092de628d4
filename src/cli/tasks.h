// The tasks of `afinar train` besides text classification, each transformers' example script as
// one function: token-classification (run_ner.py), fill-mask (run_mlm.py), text-generation
// (run_clm.py), translation (run_translation.py).
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "afinar/train/callbacks.h"
#include "afinar/train/training_args.h"
#include "run_common.h"

namespace afinar::cli {

struct TaskOptions {
  DataFiles files;
  std::string model_name_or_path, tokenizer_name;
  int64_t max_train_samples = -1, max_eval_samples = -1, max_predict_samples = -1;
  bool freeze_base_model = false;
  int64_t freeze_layers = 0;
  std::optional<int64_t> max_seq_length;  ///< none: the task's default (tokenizer max / 1024)
  bool pad_to_max_length = false;
  // token-classification
  std::string text_column_name, label_column_name;  ///< "" = the script's default
  bool label_all_tokens = false, return_entity_level_metrics = false;
  // fill-mask / text-generation
  std::optional<int64_t> block_size;
  double mlm_probability = 0.15;
  bool line_by_line = false;
  // translation
  std::string source_lang, target_lang, source_prefix;
  int64_t max_source_length = 1024, max_target_length = 128;
  bool predict_with_generate = false;
  std::optional<int64_t> num_beams, generation_max_length;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks;  ///< from flags (early stopping, loggers)
};

void run_token_classification(const TaskOptions& o, TrainingArguments args);
/// mlm: run_mlm (masked LM); otherwise run_clm (causal LM).
void run_language_modeling(const TaskOptions& o, TrainingArguments args, bool mlm);
void run_translation(const TaskOptions& o, TrainingArguments args);

}  // namespace afinar::cli
