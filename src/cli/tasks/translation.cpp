// --task translation: transformers' examples/pytorch/translation/run_translation.py. Sources
// (with --source_prefix) and targets from a `translation` struct column or flat language
// columns; sacreBLEU of the generated texts; generated_predictions.txt.
#include <cmath>

#include "afinar/metrics/sacrebleu.h"
#include "afinar/train/translation.h"
#include "seq2seq_task.h"
#include "tasks.h"

namespace afinar::cli {
namespace {

class Translation : public Seq2SeqTask {
 public:
  std::string_view name() const override { return "translation"; }
  std::string_view description() const override { return "run_translation.py"; }

 protected:
  void add_task_flags(TaskFlags& f, Command) override {
    f.option("--source_lang", source_lang_, "Source language (column or translation key, e.g. en)");
    f.option("--target_lang", target_lang_, "Target language (e.g. de)");
  }

  Dataset preprocess(const Dataset& ds, const std::string& split, const Tokenizer& tok, bool require_targets,
                     int64_t max_source_length) override {
    TranslationPreprocessing pre;
    pre.source_lang = source_lang_;
    pre.target_lang = target_lang_;
    pre.source_prefix = source_prefix_;
    pre.max_source_length = static_cast<size_t>(max_source_length);
    pre.max_target_length = static_cast<size_t>(max_target_length_);
    pre.pad_to_max_length = pad_to_max_length_;
    return preprocess_translation(ds, split, tok, pre, require_targets);
  }

  /// run_translation's compute_metrics: sacreBLEU's corpus score, rounded to 4 digits.
  std::map<std::string, double> score(const std::vector<std::string>& predictions,
                                      const std::vector<std::string>& references) override {
    SacreBleu bleu;
    std::vector<std::vector<std::string>> refs;
    for (const auto& r : references) refs.push_back({r});
    bleu.add(predictions, refs);
    return {{"bleu", std::round(bleu.compute().score * 1e4) / 1e4}};
  }

 private:
  std::string source_lang_, target_lang_;
};

}  // namespace

std::unique_ptr<Task> make_translation_task() { return std::make_unique<Translation>(); }

}  // namespace afinar::cli
