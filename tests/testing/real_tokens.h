// Outputs of a padded batch compared at its real tokens: a padding-free forward never computes the
// padded positions (it returns zeros there), while transformers' fixtures hold the values the
// padding's own states produce. (tests/ is on the include path: #include "testing/real_tokens.h".)
#pragma once
#include <torch/torch.h>

namespace afinar_test {

/// t (B, T, …) with the positions attention_mask (B, T) marks 0 set to 0; t itself when its
/// leading dimensions are not the mask's (sequence-level outputs, decoder outputs).
inline torch::Tensor at_real_tokens(const torch::Tensor& t, const torch::Tensor& attention_mask) {
  if (!t.defined() || !attention_mask.defined() || t.dim() < 2 || t.size(0) != attention_mask.size(0) ||
      t.size(1) != attention_mask.size(1))
    return t;
  torch::Tensor padding = attention_mask.to(t.device()).eq(0);
  while (padding.dim() < t.dim()) padding = padding.unsqueeze(-1);
  return t.masked_fill(padding, 0);
}

}  // namespace afinar_test
