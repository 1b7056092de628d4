// AutoModel factories of GPT-2: build from config.json, load the checkpoint, initialise the rest as
// transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/gpt2/modeling_gpt2.h"

namespace afinar::detail {

namespace {

/// transformers' _init_weights of this family, on the tensors the checkpoint lacked.
void init_missing(torch::nn::Module& m, const GPT2Config& c, const std::vector<std::string>* missing) {
  gpt2_init_weights(m, c, missing);
}

bool ends_with(const std::string& s, const std::string& x) {
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

/// Older checkpoints store the causal-mask buffers "h.N.attn.bias" / "h.N.attn.masked_bias"
/// (transformers ignores them) and, some, the tied lm_head.weight (the word embeddings).
void drop_legacy_gpt2_keys(io::TensorMap& w) {
  for (auto it = w.begin(); it != w.end();) {
    const std::string& k = it->first;
    if (ends_with(k, ".attn.bias") || ends_with(k, ".attn.masked_bias") || ends_with(k, "crossattention.bias"))
      it = w.erase(it);
    else
      ++it;
  }
}

void drop_legacy_gpt2_keys_and_tied_head(io::TensorMap& w) {
  drop_legacy_gpt2_keys(w);
  w.erase("lm_head.weight");
}

}  // namespace

PreTrainedModel gpt2_lm_head_model(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                   const FromPretrainedOptions& opt) {
  return load_model<GPT2LMHeadModelImpl, GPT2Config>(j, dir, source, opt, "GPT2LMHeadModel", "transformer",
                                                     &init_missing, &drop_legacy_gpt2_keys_and_tied_head);
}

PreTrainedModel gpt2_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<GPT2ForSequenceClassificationImpl, GPT2Config>(
      j, dir, source, opt, "GPT2ForSequenceClassification", "transformer", &init_missing, &drop_legacy_gpt2_keys);
}

PreTrainedModel gpt2_for_token_classification(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                              const FromPretrainedOptions& opt) {
  return load_model<GPT2ForTokenClassificationImpl, GPT2Config>(j, dir, source, opt, "GPT2ForTokenClassification",
                                                                "transformer", &init_missing, &drop_legacy_gpt2_keys);
}

PreTrainedModel gpt2_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                            const FromPretrainedOptions& opt) {
  return load_model<GPT2ForQuestionAnsweringImpl, GPT2Config>(j, dir, source, opt, "GPT2ForQuestionAnswering",
                                                              "transformer", &init_missing, &drop_legacy_gpt2_keys);
}

}  // namespace afinar::detail
