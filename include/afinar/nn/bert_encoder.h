/// The post-norm transformer encoder of BERT and RoBERTa (transformers' BertEncoder; RobertaEncoder
/// is a copy of it), and BertPooler. Module names are transformers' attribute names, so a model
/// that registers a BertEncoder as "encoder" under "bert" has the checkpoint keys
/// "bert.encoder.layer.0.attention.self.query.weight", … Dropout is real (train() mode only).
///
///   afinar::BertEncoder encoder(afinar::BertEncoderOptions{.hidden_size = 32, .num_attention_heads = 4,
///                                                          .intermediate_size = 37, .num_hidden_layers = 2});
///   torch::Tensor h = encoder(x, afinar::padding_attention_mask(mask, x.scalar_type()));  // (B, T, H)
#pragma once
#include <torch/torch.h>

#include <string>

#include "afinar/models/checkpoint.h"
#include "afinar/nn/token_grid.h"

namespace afinar {

/// The encoder's hyperparameters (BertConfig's / RobertaConfig's fields of the same names).
struct BertEncoderOptions {
  int64_t hidden_size = 768;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t num_hidden_layers = 12;
  std::string hidden_act = "gelu";
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double layer_norm_eps = 1e-12;
};

/// Multi-head self-attention through dot_product_attention (sdpa, or eager).
class BertSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit BertSelfAttentionImpl(const BertEncoderOptions& options);
  /// hidden (B, T, H), additive mask (B, 1, 1|T, T) or undefined → (B, T, H). With an active
  /// grid: hidden (N, H), the mask over the grid's rows (R, 1, 1|L, L) → (N, H).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask, const TokenGrid& grid = {});

  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  int64_t num_heads, head_size;
  double dropout_p;
  bool eager = false;  ///< softmax(QKᵀ·scale + mask)·V written out (same numbers; for debugging)
};
TORCH_MODULE(BertSelfAttention);

/// dense → dropout → LayerNorm(· + residual).
class BertSelfOutputImpl : public torch::nn::Module {
 public:
  explicit BertSelfOutputImpl(const BertEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& input);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertSelfOutput);

class BertAttentionImpl : public torch::nn::Module {
 public:
  explicit BertAttentionImpl(const BertEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask, const TokenGrid& grid = {});

  BertSelfAttention self{nullptr};
  BertSelfOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

/// dense H → I, then hidden_act.
class BertIntermediateImpl : public torch::nn::Module {
 public:
  explicit BertIntermediateImpl(const BertEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& hidden);

  torch::nn::Linear dense{nullptr};
  std::string act;
};
TORCH_MODULE(BertIntermediate);

/// dense I → H → dropout → LayerNorm(· + residual).
class BertOutputImpl : public torch::nn::Module {
 public:
  explicit BertOutputImpl(const BertEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& input);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertOutput);

class BertLayerImpl : public torch::nn::Module {
 public:
  explicit BertLayerImpl(const BertEncoderOptions& options);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask, const TokenGrid& grid = {});

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

/// The `layer` list; gradient checkpointing as every layer stack.
class BertEncoderImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  explicit BertEncoderImpl(const BertEncoderOptions& options);
  /// hidden (B, T, H), additive mask or undefined → (B, T, H); padding-free (active grid):
  /// hidden (N, H) and the mask of the grid's rows → (N, H).
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& mask, const TokenGrid& grid = {});

  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(BertEncoder);

/// The additive mask a BERT-style encoder takes, as transformers builds it: padding (B, 1, 1, T)
/// from attention_mask (undefined without padding); with `causal` (is_decoder) create_causal_mask's
/// (B, 1, T, T); for packed rows (`sequence_ids` (B, T) defined) the block-diagonal mask, causal or
/// not. attention_mask (B, T) 0/1 or undefined. With an active grid: the mask of its rows (from
/// its rows_attention_mask, padding or causal); sequence_ids and attention_mask are then unused.
torch::Tensor bert_attention_mask(const torch::Tensor& attention_mask, const torch::Tensor& sequence_ids, bool causal,
                                  int64_t batch, int64_t length, torch::ScalarType dtype, torch::Device device,
                                  const TokenGrid& grid = {});

/// tanh(dense(hidden[:, 0])).
class BertPoolerImpl : public torch::nn::Module {
 public:
  explicit BertPoolerImpl(int64_t hidden_size);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, H) → (B, H)

  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

}  // namespace afinar
