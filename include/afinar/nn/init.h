/// Weight initialisation as transformers' PreTrainedModel._init_weights, restricted to named
/// parameters (from_pretrained initialises only what the checkpoint lacks).
///
///   // Linear/Embedding ~ N(0, 0.02), biases 0, padding rows 0, LayerNorm 1/0:
///   afinar::init_weights(*this, config.initializer_range);
///   // the same for two tensors only:
///   std::vector<std::string> missing = {"classifier.weight", "classifier.bias"};
///   afinar::init_weights(*model, 0.02, &missing);
#pragma once
#include <torch/torch.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace afinar {

/// Which parameters an initialisation touches: all of them (`only` null) or those named in `only`.
struct InitScope {
  const std::vector<std::string>* only = nullptr;
  bool operator()(const std::string& name) const;
};

/// "prefix.leaf", or "leaf" for the root's own parameters.
std::string join_name(const std::string& prefix, const std::string& leaf);

/// `root` (prefix "") and every module under it with its name, in named_modules order. Usable in
/// a constructor, before the module is owned by a shared_ptr.
std::vector<std::pair<std::string, torch::nn::Module*>> modules_with_names(torch::nn::Module& root);

/// A family's own rule for a module, tried before the shared ones; returns true when it handled
/// the module (e.g. GPT-2's Conv1D, Llama's RMSNorm, BART's final_logits_bias).
using InitRule = std::function<bool(const std::string& prefix, torch::nn::Module& module, const InitScope& wanted)>;

/// transformers' _init_weights with std = `std` (initializer_range, BART's init_std), from the
/// global torch generator, module by module in named_modules order: Linear weight ~ N(0, std) and
/// bias 0; Embedding ~ N(0, std) with its padding row 0; LayerNorm weight 1, bias 0. `rule` first.
void init_weights(torch::nn::Module& root, double std, const std::vector<std::string>* only = nullptr,
                  const InitRule& rule = {});

}  // namespace afinar
