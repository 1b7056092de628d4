// --task question-answering: transformers' examples/pytorch/question-answering/run_qa.py.
// Train features are overflowing windows of (question, context) with the answer's token span;
// evaluation and prediction run the same windows, turn the start/end logits back into answer
// texts (postprocess_qa_predictions) and score them with evaluate's squad / squad_v2;
// eval_predictions.json / predict_predictions.json (+ n-best, null odds for v2) as run_qa.
#include "afinar/train/question_answering.h"

#include <arrow/api.h>

#include <iostream>

#include "../run_output.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/npy.h"
#include "afinar/train/qa_postprocessing.h"
#include "afinar/train/trainer_pt_utils.h"
#include "run_common.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

/// The columns of the features that reach the model (HF's Trainer drops the others).
const std::vector<std::string> kModelColumns = {"input_ids", "attention_mask", "token_type_ids", "start_positions",
                                                "end_positions"};

/// run_qa needs an "id" per example to map features back to it; a file without one (a quick
/// `afinar predict`) gets the row numbers.
Dataset with_ids(const Dataset& ds) {
  if (ds.has_column("id")) return ds;
  arrow::StringBuilder b;
  for (int64_t i = 0; i < ds.num_rows(); ++i) AFINAR_CHECK(b.Append(std::to_string(i)).ok(), "question answering: ids");
  const auto ids = std::make_shared<arrow::ChunkedArray>(b.Finish().ValueOrDie());
  return Dataset(ds.table()->AddColumn(0, arrow::field("id", arrow::utf8()), ids).ValueOrDie(), ds.origin());
}

/// One evaluated split: its examples (id, context, answers) and validation features.
struct QaSplit {
  Dataset examples, features;
};

/// Collects the start/end logits of every feature, then postprocesses them into answers, writes
/// <stage>_predictions.json (+ n-best, null odds) and scores them (run_qa's post_processing_function
/// + compute_metrics). Bounded by the features' logits: (F, T) floats per split.
class QaMetric : public MetricAccumulator {
 public:
  QaMetric(const QaSplit& split, const QuestionAnsweringPostprocessing& post, std::string output_dir, std::string stage)
      : split_(split), post_(post), output_dir_(std::move(output_dir)), stage_(std::move(stage)) {}
  void add(const EvalBatch& b) override {
    AFINAR_CHECK(b.start_logits.defined() && b.end_logits.defined(),
                 "question answering: the model returned no start/end logits (HINT: AutoModelForQuestionAnswering)");
    starts_.push_back(b.start_logits.detach().to(torch::kCPU, torch::kFloat32));
    ends_.push_back(b.end_logits.detach().to(torch::kCPU, torch::kFloat32));
  }
  std::map<std::string, double> compute() const override {
    if (starts_.empty()) return {};
    const torch::Tensor start = pad_and_concatenate(starts_, -100), end = pad_and_concatenate(ends_, -100);
    const auto preds = postprocess_qa_predictions(split_.examples, split_.features, start, end, post_);
    if (!output_dir_.empty()) save_qa_predictions(preds, output_dir_, stage_, post_.version_2_with_negative);
    if (!split_.examples.has_column(post_.answer_column_name)) return {};  // unlabelled: answers only
    return compute_qa_metrics(preds, split_.examples, post_);
  }

 private:
  const QaSplit& split_;
  const QuestionAnsweringPostprocessing& post_;
  std::string output_dir_, stage_;
  std::vector<torch::Tensor> starts_, ends_;
};

class QuestionAnswering : public Task {
 public:
  std::string_view name() const override { return "question-answering"; }
  std::string_view description() const override { return "run_qa.py"; }

  void add_flags(TaskFlags& f, Command command) override {
    f.option("--question_column_name", pre_.question_column_name, "The question column (default question)");
    f.option("--context_column_name", pre_.context_column_name, "The context column (default context)");
    f.option("--answer_column_name", pre_.answer_column_name, "The answers column (default answers)");
    f.option("--doc_stride", pre_.doc_stride, "Overlap of a context's windows, in tokens (default 128)",
             CLI::PositiveNumber);
    f.flag("--version_2_with_negative", post_.version_2_with_negative, "SQuAD v2: some questions have no answer");
    f.option("--n_best_size", post_.n_best_size, "Start/end candidates per feature (default 20)", CLI::PositiveNumber);
    f.option("--max_answer_length", post_.max_answer_length, "Longest answer, in tokens (default 30)",
             CLI::PositiveNumber);
    f.option("--null_score_diff_threshold", post_.null_score_diff_threshold,
             "v2: how much the null answer must beat the best span by (default 0)");
    if (command == Command::Predict) return;  // predict has its own --max_seq_length
    f.option("--max_seq_length", max_seq_length_, "Tokens per feature window (default 384)", CLI::PositiveNumber);
    f.flag("--pad_to_max_length", pre_.pad_to_max_length, "Pad every feature to max_seq_length (default: per batch)");
  }

  void train(const ScriptArguments& s, TrainingArguments args) override {
    args.finalize();
    DatasetDict raw = load_raw_datasets(s);
    std::cout << raw << "\n";
    check_splits(raw, args);
    AFINAR_CHECK(args.label_smoothing_factor == 0,
                 "--label_smoothing_factor does not apply to question answering (start/end positions, no labels)");
    Tokenizer tok = load_tokenizer(s);
    configure(tok);
    torch::manual_seed(static_cast<uint64_t>(args.seed));
    PreTrainedModel model = AutoModelForQuestionAnswering::from_pretrained(s.model_name_or_path);
    apply_freezing(*model, s.freeze_base_model, s.freeze_layers);

    // run_qa caps the examples, then the features, at --max_*_samples.
    if (args.do_train)
      data_.set("train", head(prepare_train_features(head(raw["train"], s.max_train_samples), tok, pre_, map_),
                              s.max_train_samples));
    if (args.do_eval) evaluated("validation", head(raw["validation"], s.max_eval_samples), tok);
    if (args.do_predict) evaluated("test", head(raw["test"], s.max_predict_samples), tok);

    Trainer trainer(model, args, collator(tok, *model), data_.get("train"), data_.get("validation"), &tok, s.callbacks);
    trainer.set_compute_metrics(metrics(args.output_dir));
    trainer.add_callback(progress_callback(args));
    run_trainer(trainer, args, data_, nullptr);
  }

  void predict(const PredictArguments& p) override {
    const Dataset test = with_ids(load_file(p.test_file));
    AFINAR_CHECK(test.num_rows() > 0, p.test_file, ": no rows to predict");
    Tokenizer tok = AutoTokenizer::from_pretrained(p.model_name_or_path);
    max_seq_length_ = p.max_seq_length;
    configure(tok);
    PreTrainedModel model = AutoModelForQuestionAnswering::from_pretrained(p.model_name_or_path);
    evaluated("test", test, tok);
    Trainer trainer(model, predict_training_args(p), collator(tok, *model), nullptr, nullptr, &tok);
    const fs::path out = fs::path(p.output_file).parent_path();
    trainer.set_compute_metrics(metrics(out.empty() ? "." : out.string()));
    const PredictionOutput o = trainer.predict(*data_.get("test"));
    const fs::path s = sibling_file(p.output_file, "start_logits"), e = sibling_file(p.output_file, "end_logits");
    save_npy(s, o.start_logits);
    save_npy(e, o.end_logits);
    std::cout << "wrote " << s.string() << ", " << e.string() << ": start/end logits " << shape_of(o.start_logits)
              << " (-100 = padding), predict_predictions.json: the answers\n";
    log_metrics("test", o.metrics);
  }

 private:
  /// run_qa: max_seq_length capped at the tokenizer's model_max_length; right padding only.
  void configure(const Tokenizer& tok) {
    pre_.max_seq_length = static_cast<size_t>(
        std::min<int64_t>(max_seq_length_.value_or(384), static_cast<int64_t>(tok.model_max_length())));
    post_.context_column_name = pre_.context_column_name;
    post_.answer_column_name = pre_.answer_column_name;
  }

  /// Validation or test: its examples, their features and the model's view of them (without
  /// example_id and offset_mapping).
  void evaluated(const std::string& name, const Dataset& examples, const Tokenizer& tok) {
    QaSplit& split = splits_[name];
    split.examples = examples;
    // run_qa also cuts the features at --max_eval_samples, which leaves the last examples
    // without a feature (answered "empty"); every feature of the kept examples is evaluated here.
    split.features = prepare_validation_features(examples, tok, pre_, map_);
    data_.examples[name] = Examples::from_dataset(split.features, kModelColumns);
    data_.features[name] = split.features;
  }

  /// The metric of whichever split the Trainer evaluates (told apart by its rows' address).
  ComputeMetrics metrics(const std::string& output_dir) {
    return [this, output_dir](const EvalContext& c) -> std::unique_ptr<MetricAccumulator> {
      for (const auto& [name, split] : splits_)
        if (c.data == data_.get(name))
          return std::make_unique<QaMetric>(split, post_, output_dir, c.prefix == "test" ? "predict" : c.prefix);
      throw InvalidArgument("question answering: the evaluated rows are not a prepared validation or test split");
    };
  }

  static std::shared_ptr<const DataCollator> collator(const Tokenizer& tok, const PreTrainedModelImpl& model) {
    return std::make_shared<DataCollatorWithPadding>(padding_token_id(tok, model).value_or(0));
  }

  QuestionAnsweringPreprocessing pre_;
  QuestionAnsweringPostprocessing post_;
  MapOptions map_;
  std::optional<int64_t> max_seq_length_;
  std::map<std::string, QaSplit> splits_;
  PreparedSplits data_;
};

}  // namespace

std::unique_ptr<Task> make_question_answering_task() {
  return std::make_unique<QuestionAnswering>();
}

}  // namespace afinar::cli
