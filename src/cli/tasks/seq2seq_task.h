// The shape translation (run_translation.py) and summarization (run_summarization.py) share: a
// seq2seq LM (T5, BART), DataCollatorForSeq2Seq, --predict_with_generate scoring the generated
// texts, generated_predictions.txt. A subclass gives the preprocessing and the metric.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "afinar/collators/seq2seq.h"
#include "run_common.h"
#include "seq2seq_generation.h"

namespace afinar::cli {

class Seq2SeqTask : public Task {
 public:
  void add_flags(TaskFlags& f, Command command) override;
  void train(const ScriptArguments& s, TrainingArguments args) override;
  void predict(const PredictArguments& p) override;

 protected:
  /// The task's own flags, besides the seq2seq ones.
  virtual void add_task_flags(TaskFlags& f, Command command) = 0;
  /// The split's features: input_ids, attention_mask and (when the split has targets) labels.
  virtual Dataset preprocess(const Dataset& ds, const std::string& split, const Tokenizer& tok, bool require_targets,
                             int64_t max_source_length) = 0;
  /// The metric of generated texts against their references, keyed without the split prefix
  /// (gen_len is added by the caller).
  virtual std::map<std::string, double> score(const std::vector<std::string>& predictions,
                                              const std::vector<std::string>& references) = 0;

  std::string source_prefix_;
  int64_t max_source_length_ = 1024, max_target_length_ = 128;
  bool pad_to_max_length_ = false, predict_with_generate_ = false;
  std::optional<int64_t> num_beams_, generation_max_length_;

 private:
  /// Generates over `data`, adds <prefix>_<metric> and <prefix>_gen_len to `metrics`.
  GeneratedTexts generate_and_score(PreTrainedModelImpl& model, const Tokenizer& tok, const Examples& data,
                                    const DataCollator& collator, const GenerationConfig& gen, int64_t batch_size,
                                    torch::Device device, const std::string& prefix,
                                    std::map<std::string, double>& metrics);
};

}  // namespace afinar::cli
