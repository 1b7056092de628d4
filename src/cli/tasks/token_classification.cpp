// --task token-classification: transformers' examples/pytorch/token-classification/run_ner.py.
// Train: word lists (tokens) and tags (ner_tags) aligned to sub-tokens, seqeval metrics,
// predictions.txt. Predict: logits [N, T, num_labels] for a word-list or text column, seqeval
// when the file has tags.
#include <iostream>
#include <sstream>

#include "../run_output.h"
#include "afinar/collators/token_classification.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/npy.h"
#include "afinar/train/token_classification.h"
#include "run_common.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

/// Words of a plain text column: split on whitespace (a word-list column is used as it is).
Examples encode_text_as_words(const std::vector<std::string>& texts, const Tokenizer& tok, size_t max_length) {
  std::vector<std::vector<std::string>> words(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    std::istringstream in(texts[i]);
    for (std::string w; in >> w;) words[i].push_back(w);
  }
  EncodeOptions enc;
  enc.truncation = true;
  enc.max_length = max_length;
  std::map<std::string, std::vector<std::vector<int32_t>>> rows;
  for (const Encoding& e : tok.encode_pretokenized_batch(words, enc)) {
    rows["input_ids"].push_back(e.ids);
    rows["attention_mask"].emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (tok.uses_token_type_ids()) rows["token_type_ids"].push_back(e.type_ids);
  }
  return Examples::from_rows(rows);
}

class TokenClassification : public Task {
 public:
  std::string_view name() const override { return "token-classification"; }
  std::string_view description() const override { return "run_ner.py"; }

  void add_flags(TaskFlags& f, Command command) override {
    f.option("--text_column_name", text_column_, "The word-list column (default tokens, else the first)");
    f.option("--label_column_name", label_column_, "The tag column (default ner_tags, else the second)");
    if (command == Command::Predict) return;
    f.option("--max_seq_length", max_seq_length_, "Truncate to this many tokens (default: the tokenizer's maximum)",
             CLI::PositiveNumber);
    f.flag("--pad_to_max_length", pad_to_max_length_, "Pad every example to max_seq_length (default: per batch)");
    f.flag("--label_all_tokens", label_all_tokens_, "Label every sub-token, not only a word's first");
    f.flag("--return_entity_level_metrics", entity_level_, "Precision/recall/F1 per entity type");
  }

  void train(const ScriptArguments& s, TrainingArguments args) override {
    args.finalize();
    DatasetDict raw = load_raw_datasets(s);
    std::cout << raw << "\n";
    check_splits(raw, args);
    const Dataset& first = first_split(raw);
    TokenClassificationPreprocessing pre = preprocessing(first, max_seq_length_);
    pre.label_all_tokens = label_all_tokens_;
    pre.pad_to_max_length = pad_to_max_length_;

    Tokenizer tok = load_tokenizer(s);
    const std::vector<std::string> labels = get_token_label_list(first, pre.label_column_name);
    torch::manual_seed(static_cast<uint64_t>(args.seed));
    FromPretrainedOptions mo;
    mo.id2label = labels;
    PreTrainedModel model = AutoModelForTokenClassification::from_pretrained(s.model_name_or_path, mo);
    apply_freezing(*model, s.freeze_base_model, s.freeze_layers);

    const PreparedSplits data = prepare_splits(raw, s, args, [&](const Dataset& ds, const std::string& split, bool need) {
      return preprocess_token_classification(ds, split, tok, pre, labels, need);
    });
    Trainer trainer(model, args, collator(tok, *model), data.get("train"), data.get("validation"), &tok, s.callbacks);
    trainer.set_compute_metrics(seqeval_metrics(labels, entity_level_));
    trainer.add_callback(progress_callback(args));
    run_trainer(trainer, args, data, [&](const PredictionOutput& p) {
      // run_ner's predictions.txt: per example, the predicted labels of the labelled positions.
      const Examples& test = *data.get("test");
      const torch::Tensor pred = p.predictions.argmax(-1);
      const bool labelled = test.sequences.count("labels") > 0;
      const SequenceColumn& rows = test.sequences.at(labelled ? "labels" : "input_ids");
      std::string txt;
      for (int64_t i = 0; i < pred.size(0); ++i) {
        const auto l = rows[static_cast<size_t>(i)];
        std::string line;
        for (size_t t = 0; t < l.size() && static_cast<int64_t>(t) < pred.size(1); ++t) {
          if (labelled && l[t] == -100) continue;
          line += (line.empty() ? "" : " ") + labels[static_cast<size_t>(pred[i][static_cast<int64_t>(t)].item<int64_t>())];
        }
        txt += line + "\n";
      }
      write_file_atomic(fs::path(args.output_dir) / "predictions.txt", txt);
    });
  }

  void predict(const PredictArguments& p) override {
    Dataset test = load_file(p.test_file);
    AFINAR_CHECK(test.num_rows() > 0, p.test_file, ": no rows to predict");
    Tokenizer tok = AutoTokenizer::from_pretrained(p.model_name_or_path);
    PreTrainedModel model = AutoModelForTokenClassification::from_pretrained(p.model_name_or_path);
    const std::vector<std::string> labels = label_names(*model, p.model_name_or_path);
    TokenClassificationPreprocessing pre = preprocessing(test, p.max_seq_length.value_or(128));
    if (label_column_.empty()) pre.label_column_name = "ner_tags";  // optional here
    // A word-list column goes through run_ner's preprocessing (labels aligned to first sub-tokens);
    // a plain text column is split into words on whitespace and has no labels.
    std::optional<std::vector<std::string>> texts;
    try {
      texts = test.column_strings(pre.text_column_name);
    } catch (const InvalidArgument&) {  // not a string column: a list of words
    }
    const Examples f = texts ? encode_text_as_words(*texts, tok, *pre.max_seq_length)
                             : Examples::from_dataset(preprocess_token_classification(test, "test", tok, pre, labels,
                                                                                      /*require_labels=*/false));
    Trainer trainer(model, predict_training_args(p), collator(tok, *model), nullptr, nullptr, &tok);
    trainer.set_compute_metrics(seqeval_metrics(labels));
    const PredictionOutput out = trainer.predict(f);
    save_npy(p.output_file, out.predictions);
    std::cout << "wrote " << p.output_file << ": logits " << shape_of(out.predictions) << " (-100 = padding)\n";
    log_metrics("test", out.metrics);
  }

 private:
  /// run_ner's defaults: "tokens" else the first column; "ner_tags" else the second.
  TokenClassificationPreprocessing preprocessing(const Dataset& first, std::optional<int64_t> max_length) const {
    const auto cols = first.column_names();
    TokenClassificationPreprocessing pre;
    pre.text_column_name = !text_column_.empty()         ? text_column_
                           : first.has_column("tokens") ? "tokens"
                                                        : cols.at(0);
    pre.label_column_name = !label_column_.empty()          ? label_column_
                            : first.has_column("ner_tags") ? "ner_tags"
                            : cols.size() > 1              ? cols[1]
                                                           : "ner_tags";
    if (max_length) pre.max_seq_length = static_cast<size_t>(*max_length);
    return pre;
  }

  static std::shared_ptr<const DataCollator> collator(const Tokenizer& tok, const PreTrainedModelImpl& model) {
    PadOptions pad;
    pad.pad_token_id = padding_token_id(tok, model).value_or(0);
    return std::make_shared<DataCollatorForTokenClassification>(pad);
  }

  std::string text_column_, label_column_;
  std::optional<int64_t> max_seq_length_;
  bool pad_to_max_length_ = false, label_all_tokens_ = false, entity_level_ = false;
};

}  // namespace

std::unique_ptr<Task> make_token_classification_task() { return std::make_unique<TokenClassification>(); }

}  // namespace afinar::cli
