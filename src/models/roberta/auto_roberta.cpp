// AutoModel factories of roberta: build from config.json, load the checkpoint, initialise the
// rest as transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/roberta/modeling_roberta.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const RobertaConfig& c, const std::vector<std::string>* missing) {
  bert_init_weights(m, c, missing);
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

}  // namespace afinar::detail
