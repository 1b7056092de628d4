// transformers' models/bert/modeling_bert.py (v5.23) BertSelfAttention … BertEncoder, BertPooler:
// same module names, same math (sdpa attention interface).
#include "afinar/nn/bert_encoder.h"

#include <cmath>

#include "afinar/nn/activations.h"
#include "afinar/nn/attention.h"
#include "afinar/nn/masks.h"

namespace afinar {

namespace nn = torch::nn;

namespace {
nn::LayerNorm layer_norm(const BertEncoderOptions& o) {
  return nn::LayerNorm(nn::LayerNormOptions({o.hidden_size}).eps(o.layer_norm_eps));
}
}  // namespace

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertEncoderOptions& o)
    : num_heads(o.num_attention_heads),
      head_size(o.hidden_size / o.num_attention_heads),
      dropout_p(o.attention_probs_dropout_prob) {
  query = register_module("query", nn::Linear(o.hidden_size, o.hidden_size));
  key = register_module("key", nn::Linear(o.hidden_size, o.hidden_size));
  value = register_module("value", nn::Linear(o.hidden_size, o.hidden_size));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask,
                                             const TokenGrid& grid) {
  // Padding-free: the projections ran on the N real tokens; attention sees them as rows (R, L, H).
  torch::Tensor q = grid.to_rows(query(hidden)), k = grid.to_rows(key(hidden)), v = grid.to_rows(value(hidden));
  const int64_t B = q.size(0), T = q.size(1);
  auto heads = [&](const torch::Tensor& x) {  // (B, T, H) → (B, nh, T, hd)
    return x.view({B, T, num_heads, head_size}).transpose(1, 2);
  };
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_size));
  torch::Tensor out = dot_product_attention(heads(q), heads(k), heads(v), {mask}, scale, dropout_p, is_training(),
                                            eager);                                   // (B, nh, T, hd)
  return grid.from_rows(out.transpose(1, 2).reshape({B, T, num_heads * head_size}));  // (B, T, H) or (N, H)
}

BertSelfOutputImpl::BertSelfOutputImpl(const BertEncoderOptions& o) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

torch::Tensor BertSelfOutputImpl::forward(const torch::Tensor& hidden, const torch::Tensor& input) {
  return LayerNorm(dropout(dense(hidden)) + input);  // (B, T, H)
}

BertAttentionImpl::BertAttentionImpl(const BertEncoderOptions& o) {
  self = register_module("self", BertSelfAttention(o));
  output = register_module("output", BertSelfOutput(o));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask,
                                         const TokenGrid& grid) {
  return output(self(hidden, mask, grid), hidden);  // (B, T, H) or (N, H)
}

BertIntermediateImpl::BertIntermediateImpl(const BertEncoderOptions& o) : act(o.hidden_act) {
  dense = register_module("dense", nn::Linear(o.hidden_size, o.intermediate_size));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  return apply_activation(dense(hidden), act);  // (B, T, I)
}

BertOutputImpl::BertOutputImpl(const BertEncoderOptions& o) {
  dense = register_module("dense", nn::Linear(o.intermediate_size, o.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(o));
  dropout = register_module("dropout", nn::Dropout(o.hidden_dropout_prob));
}

torch::Tensor BertOutputImpl::forward(const torch::Tensor& hidden, const torch::Tensor& input) {
  return LayerNorm(dropout(dense(hidden)) + input);  // (B, T, H)
}

BertLayerImpl::BertLayerImpl(const BertEncoderOptions& o) {
  attention = register_module("attention", BertAttention(o));
  intermediate = register_module("intermediate", BertIntermediate(o));
  output = register_module("output", BertOutput(o));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask, const TokenGrid& grid) {
  torch::Tensor a = attention(hidden, mask, grid);  // (B, T, H) or (N, H)
  return output(intermediate(a), a);                // (B, T, H) or (N, H)
}

BertEncoderImpl::BertEncoderImpl(const BertEncoderOptions& o) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < o.num_hidden_layers; ++i) layer->push_back(BertLayer(o));
}

torch::Tensor BertEncoderImpl::forward(torch::Tensor hidden, const torch::Tensor& mask, const TokenGrid& grid) {
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *layer) {
    auto l = std::dynamic_pointer_cast<BertLayerImpl>(m);
    if (!ckpt) {
      hidden = l->forward(hidden, mask, grid);  // (B, T, H) or (N, H)
      continue;
    }
    // The mask and the grid need no gradient: captured; the hidden state is the input.
    hidden = checkpoint(
        [l, mask, grid](const std::vector<torch::Tensor>& x) {
          return std::vector<torch::Tensor>{l->forward(x[0], mask, grid)};
        },
        {hidden})[0];  // (B, T, H) or (N, H)
  }
  return hidden;
}

torch::Tensor bert_attention_mask(const torch::Tensor& attention_mask, const torch::Tensor& sequence_ids, bool causal,
                                  int64_t batch, int64_t length, torch::ScalarType dtype, torch::Device device,
                                  const TokenGrid& grid) {
  if (grid.active()) {  // the rows hold one sequence each (or a padded batch's rows): padding masks
    const torch::Tensor& rows = grid.rows_attention_mask();
    if (causal) return make_causal_attention_mask(rows, grid.rows(), grid.width(), dtype, device, /*eager=*/true).mask;
    return padding_attention_mask(rows, dtype);
  }
  if (sequence_ids.defined())  // packed rows: each sequence attends only to itself
    return block_diagonal_mask(sequence_ids, causal, dtype, /*additive=*/true, std::nullopt, attention_mask).mask;
  // The decoder's mask is materialised even without padding: BertSelfAttention takes one tensor.
  if (causal) return make_causal_attention_mask(attention_mask, batch, length, dtype, device, /*eager=*/true).mask;
  return padding_attention_mask(attention_mask, dtype);  // (B, 1, 1, T) or undefined
}

BertPoolerImpl::BertPoolerImpl(int64_t hidden_size) {
  dense = register_module("dense", nn::Linear(hidden_size, hidden_size));
}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& hidden) {
  return torch::tanh(dense(hidden.select(1, 0)));  // (B, H): the first ([CLS]) token
}

}  // namespace afinar
