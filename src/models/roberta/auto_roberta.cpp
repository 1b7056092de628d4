// AutoModel factories of roberta: build from config.json, load the checkpoint, initialise the
// rest as transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/roberta/modeling_roberta.h"
#include "afinar/nn/init.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const RobertaConfig& c, const std::vector<std::string>* missing) {
  init_weights(m, c.initializer_range, missing);
}

/// Older RoBERTa MLM checkpoints (roberta-base) also store the tied decoder: its weight is the
/// word embeddings (dropped), its bias is lm_head.bias.
void drop_tied_roberta_decoder(io::TensorMap& w) {
  w.erase("lm_head.decoder.weight");
  auto bias = w.find("lm_head.decoder.bias");
  if (bias == w.end()) return;
  if (!w.count("lm_head.bias")) w["lm_head.bias"] = bias->second;
  w.erase(bias);
}

}  // namespace

PreTrainedModel roberta_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                    const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<RobertaForSequenceClassificationImpl, RobertaConfig>(
      j, dir, source, opt, "RobertaForSequenceClassification", "roberta", &init_missing);
}

PreTrainedModel roberta_for_token_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<RobertaForTokenClassificationImpl, RobertaConfig>(
      j, dir, source, opt, "RobertaForTokenClassification", "roberta", &init_missing);
}

PreTrainedModel roberta_for_masked_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                      const FromPretrainedOptions& opt) {
  return load_model<RobertaForMaskedLMImpl, RobertaConfig>(j, dir, source, opt, "RobertaForMaskedLM", "roberta",
                                                           &init_missing, &drop_tied_roberta_decoder);
}

PreTrainedModel roberta_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                               const FromPretrainedOptions& opt) {
  return load_model<RobertaForQuestionAnsweringImpl, RobertaConfig>(j, dir, source, opt, "RobertaForQuestionAnswering",
                                                                    "roberta", &init_missing);
}

PreTrainedModel roberta_for_causal_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                      const FromPretrainedOptions& opt) {
  // The constructor checks the config: it needs is_decoder, which RobertaConfig::validate refuses.
  return load_model<RobertaForCausalLMImpl, RobertaConfig>(j, dir, source, opt, "RobertaForCausalLM", "roberta",
                                                           &init_missing, &drop_tied_roberta_decoder,
                                                           /*validate=*/false);
}

}  // namespace afinar::detail
