// AutoModel factories of t5: build from config.json, load the checkpoint (lm_head tied to `shared`
// unless the checkpoint holds a different lm_head.weight, as transformers 5.23).
#include "../auto_factories.h"
#include "../auto_load.h"
#include "afinar/models/t5/modeling_t5.h"

namespace afinar::detail {

namespace {

/// Checkpoints written by older transformers also store the tied copies of `shared`.
void drop_tied_t5_embeddings(io::TensorMap& w) {
  for (const char* k : {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}) {
    auto it = w.find(k);
    if (it == w.end()) continue;
    if (!w.count("shared.weight")) w["shared.weight"] = it->second;
    w.erase(k);
  }
  // transformers ignores this unused key of old checkpoints (_keys_to_ignore_on_load_unexpected).
  w.erase("decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight");
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

}  // namespace afinar::detail
