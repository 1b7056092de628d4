// PreTrainedModel._init_weights (transformers' modeling_utils.py), shared by the families whose
// rule is the generic one (BERT, RoBERTa, DistilBERT, GPT-2, Llama, BART).
#include "afinar/nn/init.h"

#include <algorithm>

namespace afinar {

namespace nn = torch::nn;

bool InitScope::operator()(const std::string& name) const {
  return !only || std::find(only->begin(), only->end(), name) != only->end();
}

std::string join_name(const std::string& prefix, const std::string& leaf) {
  return prefix.empty() ? leaf : prefix + "." + leaf;
}

std::vector<std::pair<std::string, nn::Module*>> modules_with_names(nn::Module& root) {
  std::vector<std::pair<std::string, nn::Module*>> out = {{"", &root}};
  // include_self=false: named_modules would need shared_from_this, which a constructor has not yet.
  for (const auto& item : root.named_modules("", /*include_self=*/false))
    out.emplace_back(item.key(), item.value().get());
  return out;
}

void init_weights(nn::Module& root, double std, const std::vector<std::string>* only, const InitRule& rule) {
  torch::NoGradGuard no_grad;
  const InitScope wanted{only};
  for (const auto& [prefix, m] : modules_with_names(root)) {
    if (rule && rule(prefix, *m, wanted)) continue;
    if (auto* lin = dynamic_cast<nn::LinearImpl*>(m)) {
      if (wanted(join_name(prefix, "weight"))) lin->weight.normal_(0.0, std);
      if (lin->bias.defined() && wanted(join_name(prefix, "bias"))) lin->bias.zero_();
    } else if (auto* emb = dynamic_cast<nn::EmbeddingImpl*>(m)) {
      if (wanted(join_name(prefix, "weight"))) {
        emb->weight.normal_(0.0, std);
        if (auto pad = emb->options.padding_idx()) emb->weight[*pad].zero_();
      }
    } else if (auto* ln = dynamic_cast<nn::LayerNormImpl*>(m)) {
      if (wanted(join_name(prefix, "weight"))) ln->weight.fill_(1.0);
      if (wanted(join_name(prefix, "bias"))) ln->bias.zero_();
    }
  }
}

}  // namespace afinar
