// AutoModel factories of bert: build from config.json, load the checkpoint, initialise the
// rest as transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/bert/modeling_bert.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const BertConfig& c, const std::vector<std::string>* missing) {
  bert_init_weights(m, c, missing);
}

/// Older BERT MLM checkpoints also store the tied decoder: its weight is the word embeddings
/// (dropped), its bias is cls.predictions.bias.
void drop_tied_bert_decoder(io::TensorMap& w) {
  w.erase("cls.predictions.decoder.weight");
  auto bias = w.find("cls.predictions.decoder.bias");
  if (bias == w.end()) return;
  if (!w.count("cls.predictions.bias")) w["cls.predictions.bias"] = bias->second;
  w.erase(bias);
}

}  // namespace

PreTrainedModel bert_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<BertForSequenceClassificationImpl, BertConfig>(j, dir, source, opt, "BertForSequenceClassification",
                                                                   "bert", &init_missing);
}

PreTrainedModel bert_for_token_classification(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                              const FromPretrainedOptions& opt) {
  return load_model<BertForTokenClassificationImpl, BertConfig>(j, dir, source, opt, "BertForTokenClassification",
                                                                "bert", &init_missing);
}

PreTrainedModel bert_for_masked_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                   const FromPretrainedOptions& opt) {
  return load_model<BertForMaskedLMImpl, BertConfig>(j, dir, source, opt, "BertForMaskedLM", "bert", &init_missing,
                                                     &drop_tied_bert_decoder);
}

PreTrainedModel bert_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                            const FromPretrainedOptions& opt) {
  return load_model<BertForQuestionAnsweringImpl, BertConfig>(j, dir, source, opt, "BertForQuestionAnswering", "bert",
                                                              &init_missing);
}

PreTrainedModel bert_lm_head_model(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                   const FromPretrainedOptions& opt) {
  // The constructor checks the config: it needs is_decoder, which BertConfig::validate refuses.
  return load_model<BertLMHeadModelImpl, BertConfig>(j, dir, source, opt, "BertLMHeadModel", "bert", &init_missing,
                                                     &drop_tied_bert_decoder, /*validate=*/false);
}

}  // namespace afinar::detail
