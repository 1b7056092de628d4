// What every task of `afinar train` shares: the raw datasets from --dataset_name or files,
// --max_*_samples, freezing (fine-tuning vs transfer learning), the printed arguments, and the
// train → eval → predict flow with HF's output files.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"
#include "afinar/models/generation.h"
#include "afinar/models/modeling.h"
#include "afinar/train/trainer.h"

namespace afinar {
class Tokenizer;
}

namespace afinar::cli {

struct DataFiles {
  std::string dataset_name, train_file, validation_file, test_file;
};

/// load_dataset(dataset_name) or the given files as train/validation/test.
DatasetDict load_raw_datasets(const DataFiles& f);

/// The first n rows (n < 0: all).
Dataset head(const Dataset& ds, int64_t n);

/// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_commas(const std::string& s);

/// Transfer learning (--freeze_base_model: train only the head) or partial fine-tuning
/// (--freeze_layers N: the embeddings and the first N layers frozen); prints trainable / total.
void apply_freezing(const PreTrainedModel& model, bool freeze_base_model, int64_t freeze_layers);

/// TrainingArguments(...) with the fields that differ from transformers' defaults.
void print_non_defaults(const TrainingArguments& args);

/// Checks the splits the do_* flags need exist (before anything is written).
void check_splits(const DatasetDict& raw, const TrainingArguments& args);

/// The train → evaluate → predict flow of HF's example scripts: training_args.json, the model,
/// trainer_state.json, {train,eval,test}_results.json + all_results.json. `on_predict` writes the
/// task's prediction files; `extra_eval` adds task metrics (e.g. perplexity) to eval's.
void run_trainer(Trainer& trainer, const TrainingArguments& args, const std::map<std::string, Examples>& data,
                 const std::function<void(PredictionOutput&)>& on_predict,
                 const std::function<void(std::map<std::string, double>&)>& extra_eval = nullptr);

/// run_translation's postprocess_text: surrounding whitespace removed (Python's str.strip).
std::string strip(const std::string& s);

/// Seq2SeqTrainer.predict(predict_with_generate=True) + run_translation's compute_metrics: beam or
/// greedy generation batch by batch, decoded without special tokens, scored with sacreBLEU when
/// `data` has labels (<prefix>_bleu); <prefix>_gen_len = mean count of non-pad generated tokens.
/// Returns the decoded texts; `generated_ids`, when given, receives the token ids (N, L) int64,
/// batches padded with the pad token id.
std::vector<std::string> generate_and_score(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                                            const DataCollator& collator, const GenerationConfig& gen,
                                            int64_t batch_size, torch::Device device, const std::string& prefix,
                                            std::map<std::string, double>& metrics,
                                            torch::Tensor* generated_ids = nullptr);

}  // namespace afinar::cli
