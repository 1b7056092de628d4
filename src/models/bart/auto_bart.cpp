// AutoModel factories of bart: build from config.json, load the checkpoint, initialise the rest as
// transformers does.
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/bart/modeling_bart.h"

namespace afinar::detail {

namespace {

/// Checkpoints written by older transformers also store the tied copies of model.shared, and fairseq
/// conversions "*.version" keys that transformers ignores.
void drop_tied_bart_embeddings(io::TensorMap& w) {
  for (const char* k : {"model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight",
                        "encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}) {
    auto it = w.find(k);
    if (it == w.end()) continue;
    const bool prefixed = std::string(k).rfind("model.", 0) == 0;
    const std::string shared = prefixed ? "model.shared.weight" : "shared.weight";
    if (!w.count(shared)) w[shared] = it->second;
    w.erase(it);
  }
  for (const char* k : {"model.encoder.version", "model.decoder.version", "encoder.version", "decoder.version"})
    w.erase(k);
}

void init_missing(torch::nn::Module& m, const BartConfig& c, const std::vector<std::string>* missing) {
  bart_init_weights(m, c, missing);
}

}  // namespace

PreTrainedModel bart_for_conditional_generation(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                                const FromPretrainedOptions& opt) {
  BartConfig cfg = BartConfig::from_json(j);
  apply_label_options(cfg, opt);
  cfg.validate();
  io::TensorMap weights = io::load_checkpoint_weights(dir);
  drop_tied_bart_embeddings(weights);
  bool own_lm_head = !cfg.tie_word_embeddings;
  if (auto it = weights.find("lm_head.weight"); it != weights.end()) {
    auto shared = weights.find("model.shared.weight");
    own_lm_head = own_lm_head || shared == weights.end() || it->second.sizes() != shared->second.sizes() ||
                  !torch::equal(it->second, shared->second.to(it->second.scalar_type()));
    if (!own_lm_head) weights.erase(it);  // the tied copy
  }
  std::shared_ptr<BartForConditionalGenerationImpl> model;
  {
    CpuRngStateGuard keep_rng;
    model = std::make_shared<BartForConditionalGenerationImpl>(cfg, own_lm_head);
  }
  LoadReport report = load_pretrained_weights(*model, std::move(weights), "model", source);
  // transformers does not report a missing final_logits_bias (_keys_to_ignore_on_load_missing): it is 0.
  std::erase(report.missing, std::string("final_logits_bias"));
  init_missing(*model, cfg, &report.missing);
  warn_load_report(report, "BartForConditionalGeneration", source);
  model->eval();
  return model;
}

PreTrainedModel bart_for_sequence_classification(const nlohmann::json& j, const fs::path& dir,
                                                 const std::string& source, const FromPretrainedOptions& opt) {
  return load_model<BartForSequenceClassificationImpl, BartConfig>(j, dir, source, opt, "BartForSequenceClassification",
                                                                   "model", &init_missing, &drop_tied_bart_embeddings);
}

PreTrainedModel bart_for_question_answering(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                            const FromPretrainedOptions& opt) {
  return load_model<BartForQuestionAnsweringImpl, BartConfig>(j, dir, source, opt, "BartForQuestionAnswering", "model",
                                                              &init_missing, &drop_tied_bart_embeddings);
}

namespace {
/// BartForCausalLM checkpoints of older transformers also store the tied lm_head (dropped: it is
/// model.decoder.embed_tokens), and fairseq conversions "*.version" keys.
void drop_tied_bart_causal_lm_head(io::TensorMap& w) {
  w.erase("lm_head.weight");
  for (const char* k : {"model.decoder.version", "decoder.version"}) w.erase(k);
}
}  // namespace

PreTrainedModel bart_for_causal_lm(const nlohmann::json& j, const fs::path& dir, const std::string& source,
                                   const FromPretrainedOptions& opt) {
  return load_model<BartForCausalLMImpl, BartConfig>(j, dir, source, opt, "BartForCausalLM", "model", &init_missing,
                                                     &drop_tied_bart_causal_lm_head);
}

}  // namespace afinar::detail
