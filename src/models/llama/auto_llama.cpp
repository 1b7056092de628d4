// AutoModel factories of the Llama family (model_type llama, qwen2, mistral: one implementation):
// build from config.json, load the checkpoint, initialise the rest as transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/llama/modeling_llama.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const LlamaConfig& c, const std::vector<std::string>* missing) {
  llama_init_weights(m, c, missing);
}

/// A tied checkpoint that still stores lm_head.weight (the word embeddings): transformers ties it.
void drop_tied_lm_head(io::TensorMap& w) {
  w.erase("lm_head.weight");
}

std::string model_type_of(const nlohmann::json& j) {
  return j.value("model_type", std::string("llama"));
}

std::string arch(const nlohmann::json& j, const char* head) {
  std::string t = model_type_of(j);
  return (t == "qwen2" ? "Qwen2" : t == "mistral" ? "Mistral" : "Llama") + std::string(head);
}

}  // namespace

PreTrainedModel llama_for_causal_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                    const FromPretrainedOptions& opt) {
  const bool tied = LlamaConfig::from_json(j).tie_word_embeddings;
  return load_model<LlamaForCausalLMImpl, LlamaConfig>(j, dir, source, opt, arch(j, "ForCausalLM").c_str(), "model",
                                                       &init_missing, tied ? &drop_tied_lm_head : nullptr);
}

PreTrainedModel llama_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                  const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<LlamaForSequenceClassificationImpl, LlamaConfig>(
      j, dir, source, opt, arch(j, "ForSequenceClassification").c_str(), "model", &init_missing);
}

PreTrainedModel llama_for_token_classification(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                               const FromPretrainedOptions& opt) {
  return load_model<LlamaForTokenClassificationImpl, LlamaConfig>(
      j, dir, source, opt, arch(j, "ForTokenClassification").c_str(), "model", &init_missing);
}

PreTrainedModel llama_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                             const FromPretrainedOptions& opt) {
  // transformers names the base "transformer" in LlamaForQuestionAnswering and Qwen2's (for
  // backward compatibility), "model" in Mistral's.
  const char* base = model_type_of(j) == "mistral" ? "model" : "transformer";
  return load_model<LlamaForQuestionAnsweringImpl, LlamaConfig>(
      j, dir, source, opt, arch(j, "ForQuestionAnswering").c_str(), base, &init_missing);
}

}  // namespace afinar::detail
