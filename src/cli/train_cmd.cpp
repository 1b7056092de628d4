// `afinar train`: transformers' examples/pytorch/text-classification/run_classification.py as one
// command. Flags are that script's ModelArguments / DataTrainingArguments plus every
// TrainingArguments field, by their HF names.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/io/npy.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/text_classification.h"
#include "afinar/train/trainer.h"
#include "commands.h"
#include "run_common.h"
#include "run_output.h"
#include "tasks.h"
#include "training_flags.h"

namespace afinar::cli {
namespace {

struct TrainOptions {
  std::string model_name_or_path, tokenizer_name, dataset_name, train_file, validation_file, test_file;
  std::string text_column_names = "text", label_column_name = "label";
  int64_t max_seq_length = 128;
  bool pad_to_max_length = false;
  int64_t max_train_samples = -1, max_eval_samples = -1, max_predict_samples = -1;
  bool freeze_base_model = false;
  int64_t freeze_layers = 0;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks;  ///< from script flags (early stopping)
};

void run(const TrainOptions& o, TrainingArguments args) {
  args.finalize();
  // Everything is loaded and checked before the output folder is touched: bad input leaves nothing behind.
  DatasetDict raw = load_raw_datasets({o.dataset_name, o.train_file, o.validation_file, o.test_file});
  std::cout << raw << "\n";
  check_splits(raw, args);

  Tokenizer tok = AutoTokenizer::from_pretrained(o.tokenizer_name.empty() ? o.model_name_or_path : o.tokenizer_name);
  ClassificationPreprocessing pre;
  pre.text_column_names = split_commas(o.text_column_names);
  pre.label_column_name = o.label_column_name;
  pre.max_seq_length =
      static_cast<size_t>(std::min<int64_t>(o.max_seq_length, static_cast<int64_t>(tok.model_max_length())));
  pre.pad_to_max_length = o.pad_to_max_length;

  std::vector<int64_t> labels;
  if (raw.contains("train")) labels = get_label_list(raw["train"], o.label_column_name);
  torch::manual_seed(static_cast<uint64_t>(args.seed));  // run_classification: set_seed before the model
  FromPretrainedOptions mo;
  if (!labels.empty()) mo.num_labels = static_cast<int64_t>(labels.size());
  PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained(o.model_name_or_path, mo);
  if (labels.empty()) {
    const int64_t n = model->config_json().value("id2label", nlohmann::json::object()).size();
    for (int64_t i = 0; i < std::max<int64_t>(n, 2); ++i) labels.push_back(i);
  }
  apply_freezing(model, o.freeze_base_model, o.freeze_layers);

  std::map<std::string, Examples> data;
  auto prep = [&](const std::string& split, int64_t limit, bool need_labels) {
    data[split] = Examples::from_dataset(
        preprocess_classification(head(raw[split], limit), split, tok, pre, labels, need_labels));
  };
  if (args.do_train) prep("train", o.max_train_samples, true);
  if (args.do_eval) prep("validation", o.max_eval_samples, true);
  if (args.do_predict) prep("test", o.max_predict_samples, false);

  auto collator = std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0));
  Trainer trainer(model, args, collator, data.count("train") ? &data["train"] : nullptr,
                  data.count("validation") ? &data["validation"] : nullptr, &tok);
  trainer.set_compute_metrics(accuracy_f1_metrics(static_cast<int64_t>(labels.size())));
  trainer.add_callback(std::make_shared<ProgressCallback>(std::cout, !args.disable_tqdm && ::isatty(STDOUT_FILENO)));
  for (const auto& cb : o.callbacks) trainer.add_callback(cb);
  run_trainer(trainer, args, data, [&](PredictionOutput& p) {
    save_npy(fs::path(args.output_dir) / "predict_logits.npy", p.predictions);
    auto pred = p.predictions.argmax(-1);
    std::string txt = "index\tprediction\n";
    for (int64_t i = 0; i < pred.size(0); ++i)
      txt += std::to_string(i) + "\t" + std::to_string(labels[pred[i].item<int64_t>()]) + "\n";
    write_file_atomic(fs::path(args.output_dir) / "predict_results.txt", txt);
  });
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train",
                                 "Fine-tune a model: text-classification (run_classification, the default), "
                                 "token-classification (run_ner), fill-mask (run_mlm), text-generation (run_clm), "
                                 "translation (run_translation)");
  auto o = std::make_shared<TrainOptions>();
  auto t = std::make_shared<TaskOptions>();
  auto task = std::make_shared<std::string>("text-classification");
  auto flags = std::make_shared<TrainingFlags>();
  cmd->add_option("--task", *task, "What to fine-tune for (Hugging Face pipeline task names)")
      ->check(CLI::IsMember(
          {"text-classification", "token-classification", "fill-mask", "text-generation", "translation"}));
  cmd->add_option("--model_name_or_path", o->model_name_or_path, "Model folder or Hub id")->required();
  cmd->add_option("--tokenizer_name", o->tokenizer_name, "Tokenizer folder or Hub id (default: the model's)");
  cmd->add_option("--dataset_name", o->dataset_name, "Dataset folder or Hub id (load_dataset)");
  cmd->add_option("--train_file", o->train_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--validation_file", o->validation_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--test_file", o->test_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--text_column_names", o->text_column_names, "Text columns, comma-separated (joined by a space)");
  cmd->add_option("--label_column_name", o->label_column_name, "Label column");
  cmd->add_option("--max_seq_length", o->max_seq_length, "Truncate tokenized texts to this many tokens")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--pad_to_max_length", o->pad_to_max_length, "Pad every text to max_seq_length (default: per batch)");
  cmd->add_option("--max_train_samples", o->max_train_samples, "Use only the first N training examples");
  cmd->add_option("--max_eval_samples", o->max_eval_samples, "Use only the first N validation examples");
  cmd->add_option("--max_predict_samples", o->max_predict_samples, "Use only the first N test examples");
  cmd->add_flag("--freeze_base_model", o->freeze_base_model, "Transfer learning: train only the task head");
  cmd->add_option("--freeze_layers", o->freeze_layers, "Freeze the embeddings and the first N layers");
  // The other tasks' script flags (run_ner, run_mlm/run_clm, run_translation).
  cmd->add_option("--text_column_name", t->text_column_name,
                  "token-classification: the word-list column (default tokens)");
  cmd->add_flag("--label_all_tokens", t->label_all_tokens,
                "token-classification: label every sub-token, not only the first");
  cmd->add_flag("--return_entity_level_metrics", t->return_entity_level_metrics,
                "token-classification: precision/recall/F1 per entity type");
  cmd->add_option("--block_size", t->block_size, "text-generation: tokens per training block")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--mlm_probability", t->mlm_probability, "fill-mask: share of tokens masked")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--line_by_line", t->line_by_line, "fill-mask: one example per non-empty line instead of blocks");
  cmd->add_option("--source_lang", t->source_lang, "translation: source language (e.g. en)");
  cmd->add_option("--target_lang", t->target_lang, "translation: target language (e.g. de)");
  cmd->add_option("--source_prefix", t->source_prefix,
                  "translation: text put before every source (T5: 'translate English to German: ')");
  cmd->add_option("--max_source_length", t->max_source_length, "translation: source truncation")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max_target_length", t->max_target_length, "translation: target truncation")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--predict_with_generate", t->predict_with_generate,
                "translation: generate for eval/predict and report BLEU");
  cmd->add_option("--num_beams", t->num_beams, "translation: beams for generate")->check(CLI::PositiveNumber);
  cmd->add_option("--generation_max_length", t->generation_max_length, "translation: max length of generated outputs")
      ->check(CLI::PositiveNumber);
  flags->add_to(cmd);
  cmd->callback([cmd, o, t, task, flags] {
    TrainingArguments args(/*output_dir=*/"");
    flags->apply(args);
    o->callbacks = flags->callbacks();
    // A flag of one task given to another is an error, never ignored.
    const std::map<std::string, std::vector<std::string>> own = {
        {"text-classification", {"--text_column_names"}},
        {"token-classification", {"--text_column_name", "--label_all_tokens", "--return_entity_level_metrics"}},
        {"fill-mask", {"--mlm_probability", "--line_by_line"}},
        {"text-generation", {"--block_size"}},
        {"translation",
         {"--source_lang", "--target_lang", "--source_prefix", "--max_source_length", "--max_target_length",
          "--predict_with_generate", "--num_beams", "--generation_max_length"}}};
    for (const auto& [owner, names] : own)
      for (const auto& name : names)
        AFINAR_CHECK(owner == *task || cmd->count(name) == 0, name, " applies to --task ", owner, ", not to --task ",
                     *task);
    AFINAR_CHECK(
        *task == "text-classification" || *task == "token-classification" || cmd->count("--label_column_name") == 0,
        "--label_column_name applies to text-classification and token-classification, not to --task ", *task);
    if (*task == "text-classification") return run(*o, std::move(args));
    t->files = {o->dataset_name, o->train_file, o->validation_file, o->test_file};
    t->model_name_or_path = o->model_name_or_path;
    t->tokenizer_name = o->tokenizer_name;
    t->max_train_samples = o->max_train_samples;
    t->max_eval_samples = o->max_eval_samples;
    t->max_predict_samples = o->max_predict_samples;
    t->freeze_base_model = o->freeze_base_model;
    t->freeze_layers = o->freeze_layers;
    t->pad_to_max_length = o->pad_to_max_length;
    t->callbacks = o->callbacks;
    if (cmd->count("--max_seq_length")) t->max_seq_length = o->max_seq_length;
    if (cmd->count("--label_column_name")) t->label_column_name = o->label_column_name;
    if (*task == "token-classification") return run_token_classification(*t, std::move(args));
    if (*task == "fill-mask") return run_language_modeling(*t, std::move(args), /*mlm=*/true);
    if (*task == "text-generation") return run_language_modeling(*t, std::move(args), /*mlm=*/false);
    run_translation(*t, std::move(args));
  });
}

}  // namespace afinar::cli
