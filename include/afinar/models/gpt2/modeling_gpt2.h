/// GPT-2 (transformers' modeling_gpt2.py), decoder only, with the causal-LM, sequence-classification,
/// token-classification and question-answering heads; the causal masks, attention and losses are
/// nn/'s. The causal-LM and token-classification heads take packed rows (cu_seq_lens / seq_idx,
/// position_ids restarting per sequence) through a block-diagonal causal mask.
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
#include "afinar/nn/attention.h"

namespace afinar {

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
  /// (B, T, H) → (B, T, H); padding-free: (N, H) with the mask of the grid's rows → (N, H).
  torch::Tensor forward(const torch::Tensor& hidden, const AttentionMask& mask, const TokenGrid& grid = {});

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
  torch::Tensor forward(const torch::Tensor& hidden, const AttentionMask& mask, const TokenGrid& grid = {});

  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  GPT2Attention attn{nullptr};
  GPT2MLP mlp{nullptr};
};
TORCH_MODULE(GPT2Block);

/// wte + wpe (+ wte(token_type_ids)), dropout, the blocks, ln_f → last_hidden_state (B, T, H).
class GPT2ModelImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  explicit GPT2ModelImpl(const GPT2Config& config);
  /// input_ids (B, T); attention_mask, position_ids (default 0..T-1, or per sequence for packed
  /// rows), token_type_ids optional.
  /// (B, T, H); padding-free (an active grid from PreTrainedModelImpl::token_grid): (N, H).
  torch::Tensor forward(const ModelInputs& inputs, const TokenGrid& grid = {});

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

/// Where every GPT-2 head's base is: "transformer.wte.", "transformer.wpe."; layers "transformer.h.".
PreTrainedModelImpl::ParameterLayout gpt2_parameter_layout();

/// Causal language modelling; lm_head is tied to transformer.wte (its weight is the embedding
/// matrix, not a parameter of its own, and is not saved — as transformers saves it).
class GPT2LMHeadModelImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2LMHeadModelImpl(const GPT2Config& config);
  /// logits (B, T, vocab_size); labels (B, T), shifted inside, -100 ignored → causal_lm_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  bool shifts_labels() const override { return true; }
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }
  ParameterLayout parameter_layout() const override { return gpt2_parameter_layout(); }

  GPT2Config config;
  GPT2Model transformer{nullptr};
};
TORCH_MODULE(GPT2LMHeadModel);

/// score (H → num_labels, no bias) on the last non-pad token (pool_last_non_pad_token): the batch
/// must be padded with config.pad_token_id, or not padded at all.
class GPT2ForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit GPT2ForSequenceClassificationImpl(const GPT2Config& config);
  ModelOutputs forward(const ModelInputs& inputs) override;  ///< logits (B, num_labels)
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }
  ParameterLayout parameter_layout() const override { return gpt2_parameter_layout(); }

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
  ParameterLayout parameter_layout() const override { return gpt2_parameter_layout(); }

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
  ParameterLayout parameter_layout() const override { return gpt2_parameter_layout(); }

  GPT2Config config;
  GPT2Model transformer{nullptr};
  torch::nn::Linear qa_outputs{nullptr};
};
TORCH_MODULE(GPT2ForQuestionAnswering);

}  // namespace afinar
