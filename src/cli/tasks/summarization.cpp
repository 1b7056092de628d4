// --task summarization: transformers' examples/pytorch/summarization/run_summarization.py. Texts
// (with --source_prefix) and summaries from --text_column / --summary_column; ROUGE-1/2/L/Lsum of
// the generated summaries with rouge_score's conventions (use_stemmer=True, F-measure ×100,
// rounded to 4 digits); generated_predictions.txt.
#include <cmath>

#include "afinar/metrics/rouge.h"
#include "afinar/train/summarization.h"
#include "seq2seq_task.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

class Summarization : public Seq2SeqTask {
 public:
  std::string_view name() const override { return "summarization"; }
  std::string_view description() const override { return "run_summarization.py"; }

 protected:
  void add_task_flags(TaskFlags& f, Command) override {
    f.option("--text_column", text_column_, "The column with the full texts (default: the first)");
    f.option("--summary_column", summary_column_, "The column with the summaries (default: the second)");
  }

  Dataset preprocess(const Dataset& ds, const std::string& split, const Tokenizer& tok, bool require_targets,
                     int64_t max_source_length) override {
    SummarizationPreprocessing pre;
    pre.text_column = text_column_;
    pre.summary_column = summary_column_;
    pre.source_prefix = source_prefix_;
    pre.max_source_length = static_cast<size_t>(max_source_length);
    pre.max_target_length = static_cast<size_t>(max_target_length_);
    pre.pad_to_max_length = pad_to_max_length_;
    return preprocess_summarization(ds, split, tok, pre, require_targets);
  }

  /// run_summarization's compute_metrics: rouge with use_stemmer=True, ×100, rounded to 4 digits.
  /// ROUGE-Lsum splits summaries at newlines (run_summarization first puts one after each
  /// sentence with nltk's punkt model, which needs downloaded data; afinar does not split).
  std::map<std::string, double> score(const std::vector<std::string>& predictions,
                                      const std::vector<std::string>& references) override {
    Rouge rouge({"rouge1", "rouge2", "rougeL", "rougeLsum"}, /*use_stemmer=*/true);
    rouge.add(predictions, references);
    std::map<std::string, double> out;
    for (const auto& [k, v] : rouge.compute()) out[k] = std::round(v * 100 * 1e4) / 1e4;
    return out;
  }

 private:
  std::string text_column_, summary_column_;
};

}  // namespace

std::unique_ptr<Task> make_summarization_task() { return std::make_unique<Summarization>(); }

}  // namespace afinar::cli
