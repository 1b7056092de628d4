// AutoModel factories of t5: build from config.json, load the checkpoint (lm_head tied to `shared`
// unless the checkpoint holds a different lm_head.weight, as transformers 5.23), and the
// classification / question-answering heads (base_model_prefix "transformer", as transformers).
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/t5/modeling_t5.h"

namespace afinar::detail {

namespace {

/// Checkpoints written by older transformers also store the tied copies of `shared` (at the top, or
/// under the heads' "transformer." base).
void drop_tied_t5_embeddings(io::TensorMap& w) {
  for (const std::string prefix : {"", "transformer."}) {
    for (const char* k : {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}) {
      auto it = w.find(prefix + k);
      if (it == w.end()) continue;
      if (!w.count(prefix + "shared.weight")) w[prefix + "shared.weight"] = it->second;
      w.erase(it);
    }
    // transformers ignores this unused key of old checkpoints (_keys_to_ignore_on_load_unexpected).
    w.erase(prefix + "decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight");
  }
}

/// T5ForTokenClassification is encoder only: a full checkpoint's decoder is dropped silently, as
/// transformers (T5EncoderModel._keys_to_ignore_on_load_unexpected = [r"decoder"]).
void drop_t5_decoder(io::TensorMap& w) {
  drop_tied_t5_embeddings(w);
  std::erase_if(w, [](const auto& kv) { return kv.first.find("decoder") != std::string::npos; });
}

void init_missing(torch::nn::Module& m, const T5Config& c, const std::vector<std::string>* missing) {
  t5_init_weights(m, c, missing);
}

}  // namespace

PreTrainedModel t5_for_conditional_generation(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                              const FromPretrainedOptions& opt) {
  T5Config cfg = T5Config::from_json(j);
  cfg.validate();
  io::TensorMap weights = io::load_checkpoint_weights(dir);
  drop_tied_t5_embeddings(weights);
  bool own_lm_head = false;
  if (auto it = weights.find("lm_head.weight"); it != weights.end()) {
    auto shared = weights.find("shared.weight");
    own_lm_head = shared == weights.end() || it->second.sizes() != shared->second.sizes() ||
                  !torch::equal(it->second, shared->second.to(it->second.scalar_type()));
    if (!own_lm_head) weights.erase(it);  // the tied copy
  }
  (void)opt;  // T5ForConditionalGeneration has no labels to configure
  std::shared_ptr<T5ForConditionalGenerationImpl> model;
  {
    CpuRngStateGuard keep_rng;
    model = std::make_shared<T5ForConditionalGenerationImpl>(cfg, own_lm_head);
  }
  LoadReport report = load_pretrained_weights(*model, std::move(weights), "", source);
  t5_init_weights(*model, cfg, &report.missing);
  warn_load_report(report, "T5ForConditionalGeneration", source);
  model->eval();
  return model;
}

// T5ForSequenceClassification / T5ForTokenClassification: the base is `transformer` (T5Model /
// T5EncoderModel), so a T5ForConditionalGeneration checkpoint (shared., encoder., decoder.) loads into
// it through the base_model_prefix. T5ForQuestionAnswering has shared/encoder/decoder at the top.
PreTrainedModel t5_for_sequence_classification(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                               const FromPretrainedOptions& opt) {
  return load_model<T5ForSequenceClassificationImpl, T5Config>(j, dir, source, opt, "T5ForSequenceClassification",
                                                               "transformer", &init_missing, &drop_tied_t5_embeddings);
}

PreTrainedModel t5_for_token_classification(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                            const FromPretrainedOptions& opt) {
  return load_model<T5ForTokenClassificationImpl, T5Config>(j, dir, source, opt, "T5ForTokenClassification",
                                                            "transformer", &init_missing, &drop_t5_decoder);
}

PreTrainedModel t5_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                          const FromPretrainedOptions& opt) {
  return load_model<T5ForQuestionAnsweringImpl, T5Config>(j, dir, source, opt, "T5ForQuestionAnswering", "",
                                                          &init_missing, &drop_tied_t5_embeddings);
}

}  // namespace afinar::detail
