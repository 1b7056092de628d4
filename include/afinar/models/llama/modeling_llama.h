/// The Llama family (transformers' modeling_llama.py, and modeling_qwen2.py / modeling_mistral.py,
/// which differ only in config fields): RMSNorm, rotary position embeddings (rope_type default,
/// linear, dynamic, llama3), SwiGLU MLP, grouped-query attention through torch's sdpa or eager,
/// sliding-window masks (Mistral, Qwen2), with the causal-LM, sequence-classification,
/// token-classification and question-answering heads.
///
/// The causal-LM and token-classification heads take packed rows (cu_seq_lens / seq_idx,
/// position_ids restarting per sequence) through a block-diagonal causal (sliding-window) mask.
///
/// Module names are the checkpoint keys ("model.layers.0.self_attn.q_proj.weight"); the
/// question-answering head of llama and qwen2 names its base "transformer", as transformers does.
///
///   afinar::LlamaConfig cfg = afinar::LlamaConfig::from_json(j);
///   auto lm = std::make_shared<afinar::LlamaForCausalLMImpl>(cfg);
///   auto out = lm->forward({.input_ids = ids, .attention_mask = mask, .labels = ids});
///   // out.logits: (B, T, vocab_size)
#pragma once
#include <torch/torch.h>

#include "afinar/models/checkpoint.h"
#include "afinar/models/llama/configuration_llama.h"
#include "afinar/models/modeling.h"
#include "afinar/nn/attention.h"

namespace afinar {

/// x / √(mean(x²) + eps) · weight, computed in float32.
class LlamaRMSNormImpl : public torch::nn::Module {
 public:
  LlamaRMSNormImpl(int64_t hidden_size, double eps);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  ///< (H)
  double variance_epsilon;
};
TORCH_MODULE(LlamaRMSNorm);

/// The inverse frequencies of rope_parameters (transformers' ROPE_INIT_FUNCTIONS, float32) for a
/// sequence of `seq_len` positions (only "dynamic" depends on it): (head_dim / 2).
torch::Tensor llama_rope_inv_freq(const LlamaConfig& config, int64_t seq_len);

/// cos and sin (B or 1, T, head_dim) of position_ids; "dynamic" recomputes its frequencies for a
/// sequence longer than any seen before and resets them under max_position_embeddings, as transformers.
class LlamaRotaryEmbeddingImpl : public torch::nn::Module {
 public:
  explicit LlamaRotaryEmbeddingImpl(const LlamaConfig& config);
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& position_ids);

  LlamaConfig config;
  torch::Tensor inv_freq;  ///< buffer (head_dim / 2), not saved
  int64_t max_seq_len_cached;
};
TORCH_MODULE(LlamaRotaryEmbedding);

/// q·cos + rotate_half(q)·sin (and k). q, k: (B, h, T, hd); cos, sin: (B, T, hd). Padding-free:
/// q, k (N, h, hd), cos, sin (N, hd).
std::pair<torch::Tensor, torch::Tensor> apply_rotary_pos_emb(const torch::Tensor& q, const torch::Tensor& k,
                                                             const torch::Tensor& cos, const torch::Tensor& sin);

/// down_proj(act(gate_proj(x)) · up_proj(x)).
class LlamaMLPImpl : public torch::nn::Module {
 public:
  explicit LlamaMLPImpl(const LlamaConfig& config);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
  std::string act;
};
TORCH_MODULE(LlamaMLP);

/// Grouped-query self-attention with rotary embeddings; k/v heads repeated to the query heads.
class LlamaAttentionImpl : public torch::nn::Module {
 public:
  explicit LlamaAttentionImpl(const LlamaConfig& config);
  /// hidden (B, T, H), cos/sin (B, T, hd) → (B, T, H); padding-free: hidden (N, H), cos/sin
  /// (N, hd), the mask of the grid's rows → (N, H).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, const TokenGrid& grid = {});

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  int64_t num_heads, num_kv_heads, head_dim;
  double scaling, dropout_p;
  bool eager;
};
TORCH_MODULE(LlamaAttention);

/// Pre-norm block: x + self_attn(input_layernorm(x)), then x + mlp(post_attention_layernorm(x)).
class LlamaDecoderLayerImpl : public torch::nn::Module {
 public:
  explicit LlamaDecoderLayerImpl(const LlamaConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionMask& mask, const TokenGrid& grid = {});

  LlamaAttention self_attn{nullptr};
  LlamaMLP mlp{nullptr};
  LlamaRMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

/// embed_tokens → layers → norm: last_hidden_state (B, T, H). position_ids default to 0..T-1 for
/// every row, padded or not: transformers' forward without a cache does the same (only generate()
/// derives them from the attention mask).
class LlamaModelImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  explicit LlamaModelImpl(const LlamaConfig& config);
  /// (B, T, H); padding-free (an active grid from PreTrainedModelImpl::token_grid): (N, H).
  torch::Tensor forward(const ModelInputs& inputs, const TokenGrid& grid = {});

  LlamaConfig config;
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  LlamaRMSNorm norm{nullptr};
  LlamaRotaryEmbedding rotary_emb{nullptr};
};
TORCH_MODULE(LlamaModel);

/// transformers' PreTrainedModel._init_weights (the Llama family's) for the parameters of `module`
/// named in `only` (all when null): Linear/Embedding ~ N(0, initializer_range), biases 0, the
/// padding row 0, RMSNorm weights 1.
void llama_init_weights(torch::nn::Module& module, const LlamaConfig& config,
                        const std::vector<std::string>* only = nullptr);

/// "LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM", … for config.model_type and a head
/// suffix ("ForCausalLM").
std::string llama_architecture(const LlamaConfig& config, const char* head);

/// Base of the four heads: the base model under `base_name` ("model", or "transformer" for the
/// question-answering head of llama/qwen2), config_json with the architecture of model_type.
class LlamaPreTrainedModelImpl : public PreTrainedModelImpl {
 public:
  LlamaPreTrainedModelImpl(const LlamaConfig& config, std::string head, std::string base_name = "model");
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {base_name + "."}; }
  ParameterLayout parameter_layout() const override {
    return {{base_name + ".embed_tokens."}, {base_name + ".layers."}};
  }
  /// "LlamaForCausalLM", "Qwen2ForSequenceClassification", …: the name in config.json and messages.
  const std::string& architecture() const { return architecture_; }

  LlamaConfig config;
  std::string head, base_name;
  LlamaModel model{nullptr};

 private:
  std::string architecture_;
};

/// Causal language modelling; lm_head (H → V, no bias), or the embedding matrix when
/// tie_word_embeddings (then not a parameter and not saved, as transformers).
class LlamaForCausalLMImpl : public LlamaPreTrainedModelImpl {
 public:
  explicit LlamaForCausalLMImpl(const LlamaConfig& config);
  /// logits (B, T, vocab_size); labels (B, T), shifted inside, -100 ignored → causal_lm_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  bool shifts_labels() const override { return true; }

  torch::nn::Linear lm_head{nullptr};  ///< null when tied
};
TORCH_MODULE(LlamaForCausalLM);

/// score (H → num_labels, no bias) on the last non-pad token: the batch must be padded with
/// config.pad_token_id, or not padded at all (pool_last_non_pad_token).
class LlamaForSequenceClassificationImpl : public LlamaPreTrainedModelImpl {
 public:
  explicit LlamaForSequenceClassificationImpl(const LlamaConfig& config);
  ModelOutputs forward(const ModelInputs& inputs) override;

  torch::nn::Linear score{nullptr};
};
TORCH_MODULE(LlamaForSequenceClassification);

/// dropout → score (H → num_labels, bias unless token_classification_bias is false) per token.
class LlamaForTokenClassificationImpl : public LlamaPreTrainedModelImpl {
 public:
  explicit LlamaForTokenClassificationImpl(const LlamaConfig& config);
  ModelOutputs forward(const ModelInputs& inputs) override;

  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear score{nullptr};
};
TORCH_MODULE(LlamaForTokenClassification);

/// qa_outputs (H → 2): start_logits, end_logits (B, T).
class LlamaForQuestionAnsweringImpl : public LlamaPreTrainedModelImpl {
 public:
  explicit LlamaForQuestionAnsweringImpl(const LlamaConfig& config);
  ModelOutputs forward(const ModelInputs& inputs) override;

  torch::nn::Linear qa_outputs{nullptr};
};
TORCH_MODULE(LlamaForQuestionAnswering);

}  // namespace afinar
