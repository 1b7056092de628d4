// Scaled dot-product attention (transformers' integrations/sdpa_attention.py and the eager
// attention forwards of the models).
#include "afinar/nn/attention.h"

#include "afinar/nn/masks.h"

namespace afinar {

torch::Tensor dot_product_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                    const AttentionMask& mask, double scale, double dropout_p, bool training,
                                    bool eager, bool softmax_fp32) {
  const double p = training ? dropout_p : 0.0;
  if (!eager) {
    return at::scaled_dot_product_attention(
        q, k, v, mask.mask.defined() ? std::optional<torch::Tensor>(mask.mask) : std::nullopt, p,
        /*is_causal=*/mask.is_causal && !mask.mask.defined() && q.size(2) > 1, scale);  // (B, nh, Tq, hd)
  }
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) * scale;  // (B, nh, Tq, Tk)
  if (mask.mask.defined()) {
    scores =
        scores + (mask.mask.scalar_type() == torch::kBool ? additive_mask(mask.mask, scores.scalar_type()) : mask.mask);
  } else if (mask.is_causal) {
    scores = scores + additive_mask(causal_keep_mask(scores.size(-1), scores.device())
                                        .narrow(2, scores.size(-1) - scores.size(-2), scores.size(-2)),
                                    scores.scalar_type());
  }
  torch::Tensor probs = softmax_fp32 ? torch::softmax(scores, -1, torch::kFloat) : torch::softmax(scores, -1);
  probs = torch::dropout(probs.to(v.scalar_type()), p, training);
  return torch::matmul(probs, v);  // (B, nh, Tq, hd)
}

}  // namespace afinar
