// --task text-classification: transformers' examples/pytorch/text-classification/run_classification.py.
// Train: text columns joined by a space, tokenized with truncation, labels mapped through the
// train split's sorted label list, accuracy/F1; predict_logits.npy + predict_results.txt.
// Predict: the head's logits [N, num_labels] for a file, accuracy/F1 when it is labeled.
#include <iostream>

#include "../run_output.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/npy.h"
#include "afinar/train/text_classification.h"
#include "run_common.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

class TextClassification : public Task {
 public:
  std::string_view name() const override { return "text-classification"; }
  std::string_view description() const override { return "run_classification.py (the default)"; }

  void add_flags(TaskFlags& f, Command command) override {
    f.option("--text_column_names", text_columns_, "Text columns, comma-separated (joined by a space); default text");
    f.option("--label_column_name", label_column_, "Label column (default label)");
    if (command == Command::Predict) return;  // predict has its own --max_seq_length
    f.option("--max_seq_length", max_seq_length_, "Truncate tokenized texts to this many tokens (default 128)",
             CLI::PositiveNumber);
    f.flag("--pad_to_max_length", pad_to_max_length_, "Pad every text to max_seq_length (default: per batch)");
  }

  void train(const ScriptArguments& s, TrainingArguments args) override {
    args.finalize();
    // Everything is loaded and checked before the output folder is touched: bad input leaves nothing behind.
    DatasetDict raw = load_raw_datasets(s);
    std::cout << raw << "\n";
    check_splits(raw, args);
    Tokenizer tok = load_tokenizer(s);
    ClassificationPreprocessing pre = preprocessing(max_seq_length_, tok);

    std::vector<int64_t> labels;
    if (raw.contains("train")) labels = get_label_list(raw["train"], pre.label_column_name);
    torch::manual_seed(static_cast<uint64_t>(args.seed));  // run_classification: set_seed before the model
    FromPretrainedOptions mo;
    if (!labels.empty()) mo.num_labels = static_cast<int64_t>(labels.size());
    PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained(s.model_name_or_path, mo);
    if (labels.empty())
      for (int64_t i = 0; i < static_cast<int64_t>(label_names(*model, s.model_name_or_path).size()); ++i)
        labels.push_back(i);
    apply_freezing(*model, s.freeze_base_model, s.freeze_layers);

    const PreparedSplits data = prepare_splits(raw, s, args, [&](const Dataset& ds, const std::string& split, bool need) {
      return preprocess_classification(ds, split, tok, pre, labels, need);
    });
    auto collator = std::make_shared<DataCollatorWithPadding>(padding_token_id(tok, *model).value_or(0));
    Trainer trainer(model, args, collator, data.get("train"), data.get("validation"), &tok, s.callbacks);
    trainer.set_compute_metrics(accuracy_f1_metrics(static_cast<int64_t>(labels.size())));
    trainer.add_callback(progress_callback(args));
    run_trainer(trainer, args, data, [&](PredictionOutput& p) {
      save_npy(fs::path(args.output_dir) / "predict_logits.npy", p.predictions);
      const torch::Tensor pred = p.predictions.argmax(-1);
      std::string txt = "index\tprediction\n";
      for (int64_t i = 0; i < pred.size(0); ++i)
        txt += std::to_string(i) + "\t" + std::to_string(labels[static_cast<size_t>(pred[i].item<int64_t>())]) + "\n";
      write_file_atomic(fs::path(args.output_dir) / "predict_results.txt", txt);
    });
  }

  void predict(const PredictArguments& p) override {
    Dataset test = load_file(p.test_file);
    AFINAR_CHECK(test.num_rows() > 0, p.test_file, ": no rows to predict");
    Tokenizer tok = AutoTokenizer::from_pretrained(p.model_name_or_path);
    PreTrainedModel model = AutoModelForSequenceClassification::from_pretrained(p.model_name_or_path);
    const auto num_labels = static_cast<int64_t>(label_names(*model, p.model_name_or_path).size());
    std::vector<int64_t> labels(static_cast<size_t>(num_labels));
    for (int64_t i = 0; i < num_labels; ++i) labels[static_cast<size_t>(i)] = i;
    const Examples f = Examples::from_dataset(preprocess_classification(
        test, "test", tok, preprocessing(p.max_seq_length, tok), labels, /*require_labels=*/false));
    Trainer trainer(model, predict_training_args(p),
                    std::make_shared<DataCollatorWithPadding>(padding_token_id(tok, *model).value_or(0)), nullptr,
                    nullptr, &tok);
    trainer.set_compute_metrics(accuracy_f1_metrics(num_labels));
    const PredictionOutput out = trainer.predict(f);
    save_npy(p.output_file, out.predictions);
    std::cout << "wrote " << p.output_file << ": logits " << shape_of(out.predictions) << "\n";
    log_metrics("test", out.metrics);
  }

 private:
  ClassificationPreprocessing preprocessing(std::optional<int64_t> max_length, const Tokenizer& tok) const {
    ClassificationPreprocessing pre;
    pre.text_column_names = split_commas(text_columns_);
    pre.label_column_name = label_column_;
    pre.max_seq_length =
        static_cast<size_t>(std::min<int64_t>(max_length.value_or(128), static_cast<int64_t>(tok.model_max_length())));
    pre.pad_to_max_length = pad_to_max_length_;
    return pre;
  }

  std::string text_columns_ = "text", label_column_ = "label";
  std::optional<int64_t> max_seq_length_;
  bool pad_to_max_length_ = false;
};

}  // namespace

std::unique_ptr<Task> make_text_classification_task() { return std::make_unique<TextClassification>(); }

}  // namespace afinar::cli
