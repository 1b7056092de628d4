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
#include "run_output.h"
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
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    std::string part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

DatasetDict load_raw_datasets(const TrainOptions& o) {
  if (!o.dataset_name.empty()) {
    AFINAR_CHECK(o.train_file.empty() && o.validation_file.empty() && o.test_file.empty(),
                 "give either --dataset_name or --train_file/--validation_file/--test_file, not both");
    return load_dataset(o.dataset_name);
  }
  AFINAR_CHECK(!o.train_file.empty() || !o.test_file.empty() || !o.validation_file.empty(),
               "no data: give --dataset_name, or --train_file / --validation_file / --test_file");
  DatasetDict dd;
  if (!o.train_file.empty()) dd.set("train", load_file(o.train_file));
  if (!o.validation_file.empty()) dd.set("validation", load_file(o.validation_file));
  if (!o.test_file.empty()) dd.set("test", load_file(o.test_file));
  return dd;
}

Dataset head(const Dataset& ds, int64_t n) {
  if (n < 0 || n >= ds.num_rows()) return ds;
  std::vector<int64_t> idx(n);
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  return ds.select(idx);
}

// Transfer learning (train only the head) or partial fine-tuning (freeze embeddings + N layers).
void apply_freezing(const PreTrainedModel& model, const TrainOptions& o) {
  const auto prefixes = model->base_parameter_prefixes();
  int64_t trainable = 0, total = 0;
  for (auto& p : model->named_parameters()) {
    const std::string& name = p.key();
    bool base = false;
    for (const auto& pre : prefixes) base = base || name.rfind(pre, 0) == 0;
    bool freeze = o.freeze_base_model && base;
    if (o.freeze_layers > 0 && base) {
      freeze = freeze || name.find("embeddings.") != std::string::npos;
      for (int64_t i = 0; i < o.freeze_layers; ++i)
        freeze = freeze || name.find(".layer." + std::to_string(i) + ".") != std::string::npos;
    }
    if (freeze) p.value().set_requires_grad(false);
    total += p.value().numel();
    if (p.value().requires_grad()) trainable += p.value().numel();
  }
  std::printf("trainable params: %lld || all params: %lld || trainable%%: %.4f\n", static_cast<long long>(trainable),
              static_cast<long long>(total), 100.0 * static_cast<double>(trainable) / static_cast<double>(total));
}

void print_non_defaults(const TrainingArguments& args) {
  const auto defaults = TrainingArguments(args.output_dir).to_json();
  std::cout << "TrainingArguments(";
  bool first = true;
  const auto current = args.to_json();
  for (const auto& [k, v] : current.items()) {
    if (k != "output_dir" && defaults.contains(k) && defaults[k] == v) continue;
    std::cout << (first ? "" : ", ") << k << "=" << v.dump();
    first = false;
  }
  std::cout << ")  [other fields at transformers' defaults; all in " << args.output_dir << "/training_args.json]\n";
}

void run(const TrainOptions& o, TrainingArguments args) {
  args.finalize();
  AFINAR_CHECK(args.do_train || args.do_eval || args.do_predict, "nothing to do: give --do_train, --do_eval and/or --do_predict");
  // Everything is loaded and checked before the output folder is touched: bad input leaves nothing behind.
  DatasetDict raw = load_raw_datasets(o);
  std::cout << raw << "\n";
  AFINAR_CHECK(!args.do_train || raw.contains("train"), "--do_train requires a train split; splits found: ", raw.repr());
  AFINAR_CHECK(!args.do_eval || raw.contains("validation"), "--do_eval requires a validation split (or --validation_file)");
  AFINAR_CHECK(!args.do_predict || raw.contains("test"), "--do_predict requires a test split (or --test_file)");

  Tokenizer tok = AutoTokenizer::from_pretrained(o.tokenizer_name.empty() ? o.model_name_or_path : o.tokenizer_name);
  ClassificationPreprocessing pre;
  pre.text_column_names = split_commas(o.text_column_names);
  pre.label_column_name = o.label_column_name;
  pre.max_seq_length = static_cast<size_t>(std::min<int64_t>(o.max_seq_length, static_cast<int64_t>(tok.model_max_length())));
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
  apply_freezing(model, o);

  std::map<std::string, Examples> data;
  auto prep = [&](const std::string& split, int64_t limit, bool need_labels) {
    data[split] = preprocess_classification(head(raw[split], limit), split, tok, pre, labels, need_labels);
  };
  if (args.do_train) prep("train", o.max_train_samples, true);
  if (args.do_eval) prep("validation", o.max_eval_samples, true);
  if (args.do_predict) prep("test", o.max_predict_samples, false);

  auto collator = std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0));
  Trainer trainer(model, args, collator, data.count("train") ? &data["train"] : nullptr,
                  data.count("validation") ? &data["validation"] : nullptr, &tok);
  trainer.set_compute_metrics(accuracy_f1_metrics(static_cast<int64_t>(labels.size())));
  trainer.add_callback(std::make_shared<ProgressCallback>(std::cout, !args.disable_tqdm && ::isatty(STDOUT_FILENO)));
  print_non_defaults(trainer.args());

  fs::create_directories(args.output_dir);
  write_file_atomic(fs::path(args.output_dir) / "training_args.json", trainer.args().to_json().dump(2) + "\n");
  if (args.do_train) {
    TrainOutput out = trainer.train();
    trainer.save_model(args.output_dir);
    auto m = out.metrics;
    m["train_samples"] = static_cast<double>(data["train"].size());
    log_metrics("train", m);
    save_metrics(args.output_dir, "train", m);
    trainer.state().save_to_json(fs::path(args.output_dir) / "trainer_state.json");
  }
  if (args.do_eval) {
    auto m = trainer.evaluate();
    m["eval_samples"] = static_cast<double>(data["validation"].size());
    log_metrics("eval", m);
    save_metrics(args.output_dir, "eval", m);
  }
  if (args.do_predict) {
    PredictionOutput p = trainer.predict(data["test"]);
    save_npy(fs::path(args.output_dir) / "predict_logits.npy", p.predictions);
    auto pred = p.predictions.argmax(-1);
    std::string txt = "index\tprediction\n";
    for (int64_t i = 0; i < pred.size(0); ++i)
      txt += std::to_string(i) + "\t" + std::to_string(labels[pred[i].item<int64_t>()]) + "\n";
    write_file_atomic(fs::path(args.output_dir) / "predict_results.txt", txt);
    p.metrics["test_samples"] = static_cast<double>(data["test"].size());
    log_metrics("test", p.metrics);
    save_metrics(args.output_dir, "test", p.metrics);
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Fine-tune a model for text classification (run_classification)");
  auto o = std::make_shared<TrainOptions>();
  auto flags = std::make_shared<TrainingFlags>();
  cmd->add_option("--model_name_or_path", o->model_name_or_path, "Model folder or Hub id")->required();
  cmd->add_option("--tokenizer_name", o->tokenizer_name, "Tokenizer folder or Hub id (default: the model's)");
  cmd->add_option("--dataset_name", o->dataset_name, "Dataset folder or Hub id (load_dataset)");
  cmd->add_option("--train_file", o->train_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--validation_file", o->validation_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--test_file", o->test_file, "csv/json/jsonl/parquet file");
  cmd->add_option("--text_column_names", o->text_column_names, "Text columns, comma-separated (joined by a space)");
  cmd->add_option("--label_column_name", o->label_column_name, "Label column");
  cmd->add_option("--max_seq_length", o->max_seq_length, "Truncate tokenized texts to this many tokens")->check(CLI::PositiveNumber);
  cmd->add_flag("--pad_to_max_length", o->pad_to_max_length, "Pad every text to max_seq_length (default: per batch)");
  cmd->add_option("--max_train_samples", o->max_train_samples, "Use only the first N training examples");
  cmd->add_option("--max_eval_samples", o->max_eval_samples, "Use only the first N validation examples");
  cmd->add_option("--max_predict_samples", o->max_predict_samples, "Use only the first N test examples");
  cmd->add_flag("--freeze_base_model", o->freeze_base_model, "Transfer learning: train only the task head");
  cmd->add_option("--freeze_layers", o->freeze_layers, "Freeze the embeddings and the first N layers");
  flags->add_to(cmd);
  cmd->callback([o, flags] {
    TrainingArguments args(/*output_dir=*/"");
    flags->apply(args);
    run(*o, std::move(args));
  });
}

}  // namespace afinar::cli
