// What the tasks' scripts share: the raw datasets from --dataset_name or files, --max_*_samples,
// the tokenizer and the padding id, freezing, the printed arguments, and the train → eval →
// predict flow with HF's output files.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"
#include "afinar/data/load_dataset.h"
#include "afinar/models/generation.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/trainer.h"
#include "task.h"

namespace afinar::cli {

/// load_dataset(dataset_name) or the given files as train/validation/test.
DatasetDict load_raw_datasets(const ScriptArguments& s);
/// Checks that the splits the do_* flags need exist, before anything is written.
void check_splits(const DatasetDict& raw, const TrainingArguments& args);
/// The first n rows (n < 0: all).
Dataset head(const Dataset& ds, int64_t n);
/// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_commas(const std::string& s);
/// The split the label set and the column defaults come from: train, else validation, else test.
const Dataset& first_split(const DatasetDict& raw);

/// --tokenizer_name, else the model's tokenizer.
Tokenizer load_tokenizer(const ScriptArguments& s);
/// What the collator pads with, which must be what the model treats as padding: the tokenizer's
/// pad token, else config.json's pad_token_id (a tokenizer that defines none, e.g. Phi-3.5's).
/// Neither: unset, and then a batch whose rows differ in length is refused by the collator.
std::optional<int32_t> padding_token_id(const Tokenizer& tok, const PreTrainedModelImpl& model);

/// Transfer learning (--freeze_base_model: train only the head) or partial fine-tuning
/// (--freeze_layers N); prints trainable / total.
void apply_freezing(PreTrainedModelImpl& model, bool freeze_base_model, int64_t freeze_layers);

/// HF's progress bar and loss table on stdout (off with --disable_tqdm or a non-terminal).
std::shared_ptr<TrainerCallback> progress_callback(const TrainingArguments& args);

/// The preprocessed splits of a run: the features Dataset of each split (kept for outputs and
/// postprocessing) and the Examples the Trainer reads from it.
struct PreparedSplits {
  std::map<std::string, Dataset> features;
  std::map<std::string, Examples> examples;
  const Examples* get(const std::string& split) const;
  void set(const std::string& split, Dataset ds);
};
/// Each split the do_* flags ask for, cut to its --max_*_samples and preprocessed by `fn`
/// (split name, require labels: false for test).
PreparedSplits prepare_splits(const DatasetDict& raw, const ScriptArguments& s, const TrainingArguments& args,
                              const std::function<Dataset(const Dataset&, const std::string&, bool)>& fn);

/// The train → evaluate → predict flow of HF's example scripts: training_args.json, the model,
/// trainer_state.json, {train,eval,test}_results.json + all_results.json. `on_predict` writes the
/// task's prediction files; `extra_eval` adds task metrics (e.g. perplexity) to eval's.
void run_trainer(Trainer& trainer, const TrainingArguments& args, const PreparedSplits& data,
                 const std::function<void(PredictionOutput&)>& on_predict,
                 const std::function<void(std::map<std::string, double>&)>& extra_eval = nullptr);

/// The Trainer of `afinar predict`: the model on the device, eval batch size, no output folder.
TrainingArguments predict_training_args(const PredictArguments& p);
/// "out/x.npy" + "start_logits" → "out/x_start_logits.npy".
std::filesystem::path sibling_file(const std::string& output_file, const std::string& what,
                                   const std::string& extension = ".npy");
/// "[2, 3]": a tensor's shape for messages.
std::string shape_of(const torch::Tensor& t);
/// The model's id2label as a list ordered by id; FormatError naming config.json when absent.
std::vector<std::string> label_names(const PreTrainedModelImpl& model, const std::string& source);

}  // namespace afinar::cli
