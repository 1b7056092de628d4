/// GPT-2 (transformers' modeling_gpt2.py), decoder only, with the causal-LM, sequence-classification,
/// token-classification and question-answering heads; and the causal attention helpers the Llama
/// family shares (the masks of transformers' masking_utils, sdpa/eager attention, the causal-LM loss).
///
/// Every module is registered under its transformers attribute name, so `named_parameters()` keys
/// are the checkpoint keys ("transformer.h.0.attn.c_attn.weight"). GPT-2's projections are Conv1D:
/// weight (in, out), so that checkpoints load unchanged. Dropout is real (train() mode only).
///
///   afinar::GPT2Config cfg;  cfg.n_layer = 2;
///   auto lm = std::make_shared<afinar::GPT2LMHeadModelImpl>(cfg);
///   auto out = lm->forward({.input_ids = ids, .attention_mask = mask, .labels = ids});
///   // out.logits: (B, T, vocab_size); out.loss: next-token cross entropy
#pragma once
#include <torch/torch.h>

#include <optional>

#include "afinar/models/checkpoint.h"
#include "afinar/models/gpt2/configuration_gpt2.h"
#include "afinar/models/modeling.h"

namespace afinar {

// ---------------------------------------------------------------------------------------------
// Causal attention shared by the decoders (transformers' masking_utils + attention interfaces)

/// The attention mask of a decoder without a KV cache, as transformers' create_causal_mask /
/// create_sliding_window_causal_mask builds it. `mask` is (B, 1, T, T): bool (true = attend) for
/// sdpa, additive float (0 / lowest of `dtype`) for eager. For sdpa without padding (and without an
/// active sliding window) it is undefined and `is_causal` is true, as transformers then passes
/// is_causal=True to torch's sdpa.
struct CausalAttentionMask {
  torch::Tensor mask;
  bool is_causal = false;
};

/// attention_mask: (B, T) 0/1 or undefined (all ones). sliding_window: each query attends to itself
/// and the sliding_window - 1 keys before it (Mistral), unset = plain causal.
CausalAttentionMask make_causal_attention_mask(const torch::Tensor& attention_mask, int64_t batch, int64_t length,
                                               torch::ScalarType dtype, torch::Device device, bool eager,
                                               std::optional<int64_t> sliding_window = std::nullopt);

/// softmax(q·kᵀ·scale + mask)·v. q: (B, nh, T, hd); k, v: (B, nh, T, hd) (repeat them first for
/// grouped-query attention) → (B, nh, T, hd). eager: written out (softmax in float32 when
/// `softmax_fp32`, as Llama's eager path); otherwise torch's scaled_dot_product_attention.
torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const CausalAttentionMask& mask, double scale, double dropout_p, bool training,
                               bool eager, bool softmax_fp32 = false);

/// transformers' ForCausalLMLoss: labels (B, T) are shifted left inside (position t predicts
/// labels[t + 1]; the last position predicts nothing), -100 ignored, mean over real targets.
/// logits: (B, T, V), computed in float32.
torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels);

/// The logits of the last non-pad token of each row, as transformers' decoder sequence classifiers
/// pool: the rightmost token != pad_token_id (left or right padding); without a pad token, the
/// last token, and then only batch size 1 is accepted (as transformers). logits: (B, T, C) → (B, C).
torch::Tensor pool_last_non_pad_token(const torch::Tensor& logits, const torch::Tensor& input_ids,
                                      std::optional<int64_t> pad_token_id);

// ---------------------------------------------------------------------------------------------
// GPT-2

/// transformers' Conv1D: a linear layer with weight (in, out) — y = x·W + b.
class Conv1DImpl : public torch::nn::Module {
 public:
  Conv1DImpl(int64_t nf, int64_t nx);             ///< nf = out features, nx = in features (transformers' order)
  torch::Tensor forward(const torch::Tensor& x);  // (…, nx) → (…, nf)

  torch::Tensor weight;  ///< (nx, nf)
  torch::Tensor bias;    ///< (nf)
};
TORCH_MODULE(Conv1D);

/// Causal self-attention: c_attn (H → 3H) into q, k, v; heads; sdpa or eager; c_proj.
class GPT2AttentionImpl : public torch::nn::Module {
 public:
  GPT2AttentionImpl(const GPT2Config& config, int64_t layer_idx);
  torch::Tensor forward(const torch::Tensor& hidden, const CausalAttentionMask& mask);  // (B, T, H) → (B, T, H)

  Conv1D c_attn{nullptr}, c_proj{nullptr};
  torch::nn::Dropout resid_dropout{nullptr};
  int64_t num_heads, head_dim;
  double scaling, attn_dropout_p;
  bool eager, upcast;
};
TORCH_MODULE(GPT2Attention);

/// c_fc (H → inner), activation_function, c_proj (inner → H), dropout.
class GPT2MLPImpl : public torch::nn::Module {
 public:
  explicit GPT2MLPImpl(const GPT2Config& config);
  torch::Tensor forward(const torch::Tensor& hidden);

  Conv1D c_fc{nullptr}, c_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
  std::string act;
};
TORCH_MODULE(GPT2MLP);

/// Pre-norm block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
class GPT2BlockImpl : public torch::nn::Module {
 public:
  GPT2BlockImpl(const GPT2Config& config, int64_t layer_idx);
  torch::Tensor forward(const torch::Tensor& hidden, const CausalAttentionMask& mask);

  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  GPT2Attention attn{nullptr};
  GPT2MLP mlp{nullptr};
};
TORCH_MODULE(GPT2Block);

/// wte + wpe (+ wte(token_type_ids)), dropout, the blocks, ln_f → last_hidden_state (B, T, H).
class GPT2ModelImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  explicit GPT2ModelImpl(const GPT2Config& config);
  /// input_ids (B, T); attention_mask, position_ids (default 0..T-1), token_type_ids optional.
  torch::Tensor forward(const ModelInputs& inputs);

  GPT2Config config;
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::nn::ModuleList h{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
};
TORCH_MODULE(GPT2Model);

/// transformers' GPT2PreTrainedModel._init_weights for the parameters of `module` named in `only`
/// (all when null): Linear/Conv1D/Embedding weights ~ N(0, initializer_range), biases 0, LayerNorm
/// 1/0, and every c_proj weight ~ N(0, initializer_range / √(2·n_layer)).
void gpt2_init_weights(torch::nn::Module& module, const GPT2Config& config,
                       const std::vector<std::string>* only = nullptr);

/// The config.json of a GPT-2 model with a head: config fields, architectures = {arch}, dtype, version.
nlohmann::json gpt2_config_json(const GPT2Config& config, const char* arch, torch::ScalarType dtype);

/// Causal language modelling; lm_head is tied to transformer.wte (its weight is the embedding
/// matrix, not a parameter of its own, and is not saved — as transformers saves it).
class GPT2LMHeadModelImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2LMHeadModelImpl(const GPT2Config& config);
  /// logits (B, T, vocab_size); labels (B, T), shifted inside, -100 ignored → causal_lm_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }

  GPT2Config config;
  GPT2Model transformer{nullptr};
};
TORCH_MODULE(GPT2LMHeadModel);

/// score (H → num_labels, no bias) on the last non-pad token (pool_last_non_pad_token).
class GPT2ForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2ForSequenceClassificationImpl(const GPT2Config& config);
  ModelOutputs forward(const ModelInputs& inputs) override;  ///< logits (B, num_labels)
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }

  GPT2Config config;
  GPT2Model transformer{nullptr};
  torch::nn::Linear score{nullptr};
};
TORCH_MODULE(GPT2ForSequenceClassification);

/// dropout → classifier on every hidden state; logits (B, T, num_labels).
class GPT2ForTokenClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2ForTokenClassificationImpl(const GPT2Config& config);
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }

  GPT2Config config;
  GPT2Model transformer{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(GPT2ForTokenClassification);

/// qa_outputs (H → 2): start_logits, end_logits (B, T).
class GPT2ForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2ForQuestionAnsweringImpl(const GPT2Config& config);
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }

  GPT2Config config;
  GPT2Model transformer{nullptr};
  torch::nn::Linear qa_outputs{nullptr};
};
TORCH_MODULE(GPT2ForQuestionAnswering);

}  // namespace afinar
