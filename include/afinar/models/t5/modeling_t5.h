/// T5 (transformers' models/t5/modeling_t5.py, v5.23): encoder-decoder with relative position
/// buckets, RMS layer norms, "relu" or "gated-{act}" feed-forward blocks and no attention scaling,
/// and the seq2seq LM head T5ForConditionalGeneration.
///
/// Module names are the checkpoint keys ("encoder.block.0.layer.0.SelfAttention.q.weight",
/// "shared.weight", "lm_head.weight"). The encoder/decoder embed_tokens are `shared` (not saved, as
/// transformers); lm_head is `shared` too unless the checkpoint holds an lm_head.weight of its own.
///
///   auto model = afinar::AutoModelForSeq2SeqLM::from_pretrained("tiny_t5");
///   afinar::ModelOutputs out = model->forward({.input_ids = ids, .attention_mask = mask, .labels = labels});
///   // out.logits: (B, Td, vocab_size); decoder_input_ids = shift_right(labels), start = pad (0)
#pragma once
#include <torch/torch.h>

#include "afinar/models/modeling.h"
#include "afinar/models/t5/configuration_t5.h"

namespace afinar {

/// Root-mean-square norm without mean subtraction or bias (T5LayerNorm); statistics in fp32.
class T5LayerNormImpl : public torch::nn::Module {
 public:
  T5LayerNormImpl(int64_t hidden_size, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, D) → (B, T, D)

  torch::Tensor weight;  ///< (D)
  double eps;
};
TORCH_MODULE(T5LayerNorm);

/// wi → act → dropout → wo ("relu"), or act(wi_0)·wi_1 → dropout → wo ("gated-…"); no biases.
class T5DenseActDenseImpl : public torch::nn::Module {
 public:
  explicit T5DenseActDenseImpl(const T5Config& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, D) → (B, T, D)

  torch::nn::Linear wi{nullptr}, wi_0{nullptr}, wi_1{nullptr}, wo{nullptr};
  torch::nn::Dropout dropout{nullptr};
  std::string act;
};
TORCH_MODULE(T5DenseActDense);

/// x + dropout(DenseReluDense(layer_norm(x))).
class T5LayerFFImpl : public torch::nn::Module {
 public:
  explicit T5LayerFFImpl(const T5Config& config);
  torch::Tensor forward(const torch::Tensor& x);

  T5DenseActDense DenseReluDense{nullptr};
  T5LayerNorm layer_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(T5LayerFF);

/// transformers' T5Attention._relative_position_bucket: relative_position (Tq, Tk) int64 → bucket ids.
torch::Tensor t5_relative_position_bucket(const torch::Tensor& relative_position, bool bidirectional,
                                          int64_t num_buckets, int64_t max_distance);

/// Multi-head attention, unscaled (T5 folds the scale into its init), with the position bias added
/// to the scores. Self-attention when `kv` is undefined, else cross-attention over `kv`.
class T5AttentionImpl : public torch::nn::Module {
 public:
  T5AttentionImpl(const T5Config& config, bool has_relative_attention_bias, bool is_decoder);
  /// (1, nh, Tq, Tk) learned bias of the relative positions (first layer only).
  torch::Tensor compute_bias(int64_t query_length, int64_t key_length);
  /// hidden (B, Tq, D); kv (B, Tk, D) or undefined; keep (B, 1, Tq|1, Tk) bool or undefined;
  /// position_bias (1, nh, Tq, Tk) or undefined (computed here: the learned bias, or zeros).
  /// Returns the output (B, Tq, D) and the position bias used (shared by the later layers).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden, const torch::Tensor& kv,
                                                  const torch::Tensor& keep, torch::Tensor position_bias);

  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  torch::nn::Embedding relative_attention_bias{nullptr};
  int64_t n_heads, d_kv, num_buckets, max_distance;
  bool is_decoder;
  double dropout_p;
};
TORCH_MODULE(T5Attention);

/// Pre-norm residual self-attention ("SelfAttention") or cross-attention ("EncDecAttention").
class T5LayerAttentionImpl : public torch::nn::Module {
 public:
  T5LayerAttentionImpl(const T5Config& config, bool cross, bool has_relative_attention_bias, bool is_decoder);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden, const torch::Tensor& kv,
                                                  const torch::Tensor& keep, const torch::Tensor& position_bias);

  T5Attention attention{nullptr};  ///< registered as SelfAttention or EncDecAttention
  T5LayerNorm layer_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(T5LayerAttention);

/// layer.0 self-attention, (decoder) layer.1 cross-attention, layer.-1 feed-forward.
class T5BlockImpl : public torch::nn::Module {
 public:
  T5BlockImpl(const T5Config& config, bool has_relative_attention_bias, bool is_decoder);
  torch::nn::ModuleList layer{nullptr};
  bool is_decoder;
};
TORCH_MODULE(T5Block);

/// The encoder or the decoder stack (T5Stack): blocks, final_layer_norm, dropout. Its embed_tokens
/// is the parent's `shared`, so the stack takes embeddings.
class T5StackImpl : public torch::nn::Module {
 public:
  T5StackImpl(const T5Config& config, bool is_decoder);
  /// embeds (B, T, D); attention_mask (B, T) 0/1 or undefined; (decoder) encoder_hidden (B, Ts, D)
  /// and encoder_attention_mask (B, Ts) or undefined → (B, T, D).
  torch::Tensor forward(const torch::Tensor& embeds, const torch::Tensor& attention_mask,
                        const torch::Tensor& encoder_hidden = {}, const torch::Tensor& encoder_attention_mask = {});

  torch::nn::ModuleList block{nullptr};
  T5LayerNorm final_layer_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  bool is_decoder;
};
TORCH_MODULE(T5Stack);

/// transformers' T5PreTrainedModel._init_weights for the parameters of `module` named in `only`
/// (all when null).
void t5_init_weights(torch::nn::Module& module, const T5Config& config, const std::vector<std::string>* only = nullptr);

/// T5PreTrainedModel._shift_right: labels (B, T) → (B, T) with `start` first and -100 → pad.
torch::Tensor t5_shift_right(const torch::Tensor& labels, int64_t decoder_start_token_id, int64_t pad_token_id);

class T5ForConditionalGenerationImpl : public PreTrainedModelImpl {
 public:
  /// `own_lm_head`: lm_head.weight is a parameter of its own (the checkpoint has a different one);
  /// otherwise the decoder output is projected on `shared`.
  explicit T5ForConditionalGenerationImpl(const T5Config& config, bool own_lm_head = false);
  /// input_ids/attention_mask (B, T) (or encoder_last_hidden_state); decoder_input_ids (B, Td) or
  /// labels (B, Td) → logits (B, Td, V), loss = cross entropy with -100 ignored.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"shared.", "encoder.", "decoder."}; }
  bool is_encoder_decoder() const override { return true; }

  T5Config config;
  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr}, decoder{nullptr};
  torch::nn::Linear lm_head{nullptr};  ///< no bias; registered only with own_lm_head
};
TORCH_MODULE(T5ForConditionalGeneration);

}  // namespace afinar
