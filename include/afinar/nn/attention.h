/// Scaled dot-product attention, as transformers' sdpa and eager attention interfaces compute it.
///
///   afinar::AttentionMask m = afinar::make_causal_attention_mask(mask, B, T, torch::kFloat, dev, false);
///   torch::Tensor o = afinar::dot_product_attention(q, k, v, m, 1.0 / std::sqrt(hd), 0.1, is_training());
///   // q (B, nh, Tq, hd), k/v (B, nh, Tk, hd) → o (B, nh, Tq, hd)
#pragma once
#include <torch/torch.h>

namespace afinar {

/// What a query may see. `mask` broadcasts to (B, nh, Tq, Tk): bool (true = attend) or additive
/// float (0 where attended, finfo.min where masked; T5 adds its position bias here). Undefined =
/// every key, or the causal triangle when `is_causal` (sdpa then gets is_causal=True, as
/// transformers passes it when there is no padding).
struct AttentionMask {
  torch::Tensor mask;
  bool is_causal = false;
};

/// softmax(q·kᵀ·scale + mask)·v, dropout_p on the probabilities in training only.
/// eager = false: torch's scaled_dot_product_attention (is_causal only for Tq > 1, as
/// transformers). eager = true: written out (a bool mask is made additive first; softmax in
/// float32 when `softmax_fp32`, as Llama's and GPT-2's reorder_and_upcast_attn eager paths).
torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const AttentionMask& mask, double scale, double dropout_p, bool training,
                                    bool eager = false, bool softmax_fp32 = false);

}  // namespace afinar
