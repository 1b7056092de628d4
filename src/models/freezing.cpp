// --freeze_base_model / --freeze_layers by the model's parameter layout.
#include "afinar/models/freezing.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar {

namespace {

bool starts_with_any(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}

/// The layer index of `name` under `stack` ("model.layers." + "3.self_attn…" → 3), or -1.
int64_t layer_index(const std::string& name, const std::string& stack) {
  if (name.rfind(stack, 0) != 0) return -1;
  const size_t dot = name.find('.', stack.size());
  const std::string digits =
      name.substr(stack.size(), dot == std::string::npos ? std::string::npos : dot - stack.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

}  // namespace

int64_t freeze_base_model(PreTrainedModelImpl& model) {
  const std::vector<std::string> base = model.base_parameter_prefixes();
  int64_t frozen = 0;
  for (auto& p : model.named_parameters()) {
    if (!starts_with_any(p.key(), base)) continue;
    frozen += p.value().requires_grad();
    p.value().set_requires_grad(false);
  }
  return frozen;
}

int64_t freeze_layers(PreTrainedModelImpl& model, int64_t n) {
  AFINAR_CHECK(n >= 0, "freeze_layers: the number of layers must be >= 0, got ", n);
  if (n == 0) return 0;
  const PreTrainedModelImpl::ParameterLayout layout = model.parameter_layout();
  int64_t deepest = 0;  // layers of the deepest stack
  for (const auto& p : model.named_parameters())
    for (const auto& stack : layout.layer_stacks) deepest = std::max(deepest, layer_index(p.key(), stack) + 1);
  AFINAR_CHECK(n <= deepest, "freeze_layers: ", n, " layers requested but the model's layer stacks have at most ",
               deepest, " (HINT: --freeze_layers counts the layers of one stack, e.g. num_hidden_layers)");
  int64_t frozen = 0;
  for (auto& p : model.named_parameters()) {
    bool freeze = starts_with_any(p.key(), layout.embeddings);
    for (const auto& stack : layout.layer_stacks) {
      const int64_t i = layer_index(p.key(), stack);
      freeze = freeze || (i >= 0 && i < n);
    }
    if (!freeze) continue;
    frozen += p.value().requires_grad();
    p.value().set_requires_grad(false);
  }
  return frozen;
}

}  // namespace afinar
