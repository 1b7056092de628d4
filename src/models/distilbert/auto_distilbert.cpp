// AutoModel factories of distilbert: build from config.json, load the checkpoint, initialise the
// rest as transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/distilbert/modeling_distilbert.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const DistilBertConfig& c, const std::vector<std::string>* missing) {
  distilbert_init_weights(m, c, missing);
}

/// Older DistilBERT MLM checkpoints (distilbert-base-uncased) also store the tied decoder weight:
/// it is the word embeddings (dropped).
void drop_tied_distilbert_decoder(io::TensorMap& w) {
  w.erase("vocab_projector.weight");
}

}  // namespace

PreTrainedModel distilbert_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                       const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<DistilBertForSequenceClassificationImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForSequenceClassification", "distilbert", &init_missing);
}

PreTrainedModel distilbert_for_token_classification(const nlohmann::json& j, const fs::path& dir,
                                                    const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<DistilBertForTokenClassificationImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForTokenClassification", "distilbert", &init_missing);
}

PreTrainedModel distilbert_for_masked_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                         const FromPretrainedOptions& opt) {
  return load_model<DistilBertForMaskedLMImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForMaskedLM", "distilbert", &init_missing, &drop_tied_distilbert_decoder);
}

PreTrainedModel distilbert_for_question_answering(const nlohmann::json& j, const fs::path& dir,
                                                  const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<DistilBertForQuestionAnsweringImpl, DistilBertConfig>(
      j, dir, source, opt, "DistilBertForQuestionAnswering", "distilbert", &init_missing);
}

}  // namespace afinar::detail
