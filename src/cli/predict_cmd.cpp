// `afinar predict`: logits of a fine-tuned model on a file, as float32 .npy [N, num_labels];
// accuracy/F1 when the file has labels.
#include <iostream>

#include "afinar/core/check.h"
#include "afinar/data/load_dataset.h"
#include "afinar/io/npy.h"
#include "afinar/models/modeling.h"
#include "afinar/tokenizers/tokenizer.h"
#include "afinar/train/text_classification.h"
#include "afinar/train/trainer.h"
#include "commands.h"
#include "run_output.h"

namespace afinar::cli {
namespace {

struct PredictOptions {
  std::string model_name_or_path, test_file, output_file = "logits.npy";
  std::string text_column_names = "text", label_column_name = "label";
  int64_t max_seq_length = 128, per_device_eval_batch_size = 8;
  bool use_cpu = false;
};

void run(const PredictOptions& o) {
  Dataset test = load_file(o.test_file);
  Tokenizer tok = AutoTokenizer::from_pretrained(o.model_name_or_path);
  PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained(o.model_name_or_path);
  const int64_t num_labels = model->config_json().value("id2label", nlohmann::json::object()).size();
  AFINAR_CHECK(num_labels > 0, o.model_name_or_path, "/config.json: no id2label, cannot tell the number of labels");
  std::vector<int64_t> labels(num_labels);
  for (int64_t i = 0; i < num_labels; ++i) labels[i] = i;

  ClassificationPreprocessing pre;
  pre.text_column_names.clear();
  for (size_t s = 0, c; s <= o.text_column_names.size(); s = c + 1) {
    c = o.text_column_names.find(',', s);
    if (c == std::string::npos) c = o.text_column_names.size();
    if (c > s) pre.text_column_names.push_back(o.text_column_names.substr(s, c - s));
  }
  pre.label_column_name = o.label_column_name;
  pre.max_seq_length = static_cast<size_t>(o.max_seq_length);
  Examples f = preprocess_classification(test, "test", tok, pre, labels, /*require_labels=*/false);

  TrainingArguments args("predict");
  args.per_device_eval_batch_size = o.per_device_eval_batch_size;
  args.use_cpu = o.use_cpu;
  Trainer trainer(model, args, std::make_shared<DataCollatorWithPadding>(tok.pad_token_id().value_or(0)), nullptr, nullptr, &tok);
  trainer.set_compute_metrics(accuracy_f1_metrics(num_labels));
  PredictionOutput p = trainer.predict(f);
  save_npy(o.output_file, p.predictions);
  std::cout << "wrote " << o.output_file << ": logits [" << p.predictions.size(0) << ", " << p.predictions.size(1) << "]\n";
  log_metrics("test", p.metrics);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Logits of a fine-tuned model on a file (.npy), with accuracy/F1 when labeled");
  auto o = std::make_shared<PredictOptions>();
  cmd->add_option("--model_name_or_path", o->model_name_or_path, "Fine-tuned model folder or Hub id")->required();
  cmd->add_option("--test_file", o->test_file, "csv/json/jsonl/parquet file")->required();
  cmd->add_option("--text_column_names", o->text_column_names, "Text columns, comma-separated");
  cmd->add_option("--label_column_name", o->label_column_name, "Label column (optional in the file)");
  cmd->add_option("--output_file", o->output_file, "Where to write the logits (.npy, float32 [N, num_labels])");
  cmd->add_option("--max_seq_length", o->max_seq_length, "Truncation length")->check(CLI::PositiveNumber);
  cmd->add_option("--per_device_eval_batch_size", o->per_device_eval_batch_size, "Batch size")->check(CLI::PositiveNumber);
  cmd->add_flag("--use_cpu", o->use_cpu, "Stay on the CPU even when a GPU is present");
  cmd->callback([o] { run(*o); });
}

}  // namespace afinar::cli
