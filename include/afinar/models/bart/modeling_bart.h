/// BART (transformers' models/bart/modeling_bart.py, v5.23): learned positions with offset 2,
/// layernorm_embedding, optional embedding scale, post-norm layers; BartForConditionalGeneration
/// (seq2seq LM with final_logits_bias), BartForSequenceClassification (pooled at the last eos) and
/// BartForQuestionAnswering (qa_outputs on the decoder output).
///
/// Module names are the checkpoint keys ("model.encoder.layers.0.self_attn.k_proj.weight",
/// "model.shared.weight", "final_logits_bias"). encoder/decoder embed_tokens and lm_head are
/// model.shared (not saved, as transformers). final_logits_bias, a buffer in transformers, is a
/// parameter here with requires_grad = false so that loading, saving and checkpoints carry it.
///
///   auto model = afinar::AutoModelForSeq2SeqLM::from_pretrained("tiny_bart");
///   auto out = model->forward({.input_ids = ids, .attention_mask = mask, .labels = labels});
///   // out.logits: (B, Td, vocab_size); decoder_input_ids = shift_right(labels, pad, 2)
///
/// No BART head takes packed rows (cu_seq_lens / seq_idx): they throw NotImplemented.
#pragma once
#include <torch/torch.h>

#include "afinar/models/bart/configuration_bart.h"
#include "afinar/models/checkpoint.h"
#include "afinar/models/modeling.h"

namespace afinar {

/// Scaled multi-head attention with biases (q_proj, k_proj, v_proj, out_proj), through sdpa.
class BartAttentionImpl : public torch::nn::Module {
 public:
  BartAttentionImpl(int64_t embed_dim, int64_t num_heads, double dropout);
  /// hidden (B, Tq, D); kv (B, Tk, D) or undefined (self-attention); mask additive (B|1, 1, Tq|1, Tk)
  /// or undefined → (B, Tq, D).
  /// Padding-free: the queries' (hidden's) and the keys' (kv's, or hidden's) grids; an active one
  /// means its input is (N, D) and the mask is over its rows.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& kv, const torch::Tensor& mask,
                        const TokenGrid& q_grid = {}, const TokenGrid& kv_grid = {});

  torch::nn::Linear k_proj{nullptr}, v_proj{nullptr}, q_proj{nullptr}, out_proj{nullptr};
  int64_t num_heads, head_dim;
  double dropout_p;
};
TORCH_MODULE(BartAttention);

/// Post-norm layer: self_attn (+ encoder_attn in the decoder) and fc1 → act → fc2, each followed by
/// dropout, the residual and its LayerNorm.
class BartLayerImpl : public torch::nn::Module {
 public:
  BartLayerImpl(const BartConfig& config, bool is_decoder);
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& mask, const torch::Tensor& encoder_hidden,
                        const torch::Tensor& encoder_mask, const TokenGrid& grid = {},
                        const TokenGrid& encoder_grid = {});

  BartAttention self_attn{nullptr}, encoder_attn{nullptr};
  torch::nn::LayerNorm self_attn_layer_norm{nullptr}, encoder_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  std::string act;
  double dropout, activation_dropout;
};
TORCH_MODULE(BartLayer);

/// BartEncoder / BartDecoder: embed_positions (offset 2), layernorm_embedding, layers. The token
/// embedding is the parent's `shared`, passed in as embeddings (already scaled).
class BartStackImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  BartStackImpl(const BartConfig& config, bool is_decoder);
  /// embeds (B, T, D); attention_mask (B, T) or undefined; (decoder) encoder_hidden (B, Ts, D) and
  /// encoder_attention_mask (B, Ts) or undefined → (B, T, D).
  /// Padding-free: `grid` active → embeds (N, D), the output (N, D); `encoder_grid` active →
  /// encoder_hidden is the encoder's real tokens (N_enc, D).
  torch::Tensor forward(const torch::Tensor& embeds, const torch::Tensor& attention_mask,
                        const torch::Tensor& encoder_hidden = {}, const torch::Tensor& encoder_attention_mask = {},
                        const TokenGrid& grid = {}, const TokenGrid& encoder_grid = {});

  torch::nn::Embedding embed_positions{nullptr};
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm layernorm_embedding{nullptr};
  bool is_decoder;
  double dropout, layerdrop;
};
TORCH_MODULE(BartStack);

/// BartModel: shared token embedding (padding_idx = pad), encoder, decoder.
class BartModelImpl : public torch::nn::Module {
 public:
  explicit BartModelImpl(const BartConfig& config);
  /// Runs the encoder unless encoder_last_hidden_state is given, then the decoder on
  /// decoder_input_ids (default: shift_right(input_ids)). Returns (decoder output, encoder output).
  /// encoder_grid: the encoder runs padding-free on it (PreTrainedModelImpl::token_grid, kEncoder);
  /// the encoder output returned is (B, T, D) either way.
  std::pair<torch::Tensor, torch::Tensor> forward(const ModelInputs& inputs, torch::Tensor decoder_input_ids,
                                                  const TokenGrid& encoder_grid = {});

  BartConfig config;
  torch::nn::Embedding shared{nullptr};
  BartStack encoder{nullptr}, decoder{nullptr};
  double embed_scale;
};
TORCH_MODULE(BartModel);

/// transformers' PreTrainedModel._init_weights as BART uses it (N(0, init_std), padding row 0,
/// LayerNorm 1/0, final_logits_bias 0) for the parameters of `module` named in `only` (all when null).
void bart_init_weights(torch::nn::Module& module, const BartConfig& config,
                       const std::vector<std::string>* only = nullptr);

/// Where the encoder-decoder heads' base is: "model.shared.", each stack's embed_positions and
/// layernorm_embedding; layers "model.encoder.layers.", "model.decoder.layers.".
PreTrainedModelImpl::ParameterLayout bart_parameter_layout();

class BartForConditionalGenerationImpl : public PreTrainedModelImpl {
 public:
  /// `own_lm_head`: lm_head.weight is a parameter of its own (tie_word_embeddings false).
  explicit BartForConditionalGenerationImpl(const BartConfig& config, bool own_lm_head = false);
  /// logits (B, Td, V) = decoder output · shared + final_logits_bias; labels (B, Td) → cross entropy.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"model."}; }
  ParameterLayout parameter_layout() const override { return bart_parameter_layout(); }
  bool is_encoder_decoder() const override { return true; }

  BartConfig config;
  BartModel model{nullptr};
  torch::nn::Linear lm_head{nullptr};  ///< registered only with own_lm_head
  torch::Tensor final_logits_bias;     ///< (1, V), requires_grad = false
};
TORCH_MODULE(BartForConditionalGeneration);

/// dropout → dense → tanh → dropout → out_proj (BartClassificationHead).
class BartClassificationHeadImpl : public torch::nn::Module {
 public:
  BartClassificationHeadImpl(int64_t input_dim, int64_t inner_dim, int64_t num_classes, double pooler_dropout);
  torch::Tensor forward(const torch::Tensor& x);  // (B, D) → (B, C)

  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BartClassificationHead);

class BartForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit BartForSequenceClassificationImpl(const BartConfig& config);
  /// The decoder state at each row's last eos token → logits (B, num_labels); every row must hold the
  /// same number (≥ 1) of eos tokens, as transformers requires.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"model."}; }
  ParameterLayout parameter_layout() const override { return bart_parameter_layout(); }
  bool is_encoder_decoder() const override { return true; }

  BartConfig config;
  BartModel model{nullptr};
  BartClassificationHead classification_head{nullptr};
};
TORCH_MODULE(BartForSequenceClassification);

class BartForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  /// num_labels is forced to 2 (start, end), as transformers' constructor does.
  explicit BartForQuestionAnsweringImpl(const BartConfig& config);
  /// input_ids/attention_mask (B, T); decoder_input_ids (B, Td) default shift_right(input_ids)
  /// → start_logits/end_logits (B, Td) from qa_outputs on the decoder output; start/end_positions (B)
  /// → question_answering_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"model."}; }
  ParameterLayout parameter_layout() const override { return bart_parameter_layout(); }
  bool is_encoder_decoder() const override { return true; }

  BartConfig config;
  BartModel model{nullptr};
  torch::nn::Linear qa_outputs{nullptr};  ///< (2, D) with bias
};
TORCH_MODULE(BartForQuestionAnswering);

/// Causal language modelling with BART's decoder alone (transformers' BartForCausalLM): "model.decoder"
/// (BartDecoderWrapper) is a BartStack with its own embed_tokens ("model.decoder.embed_tokens", scaled
/// by sqrt(d_model) with scale_embedding), and lm_head is tied to it (not saved). The decoder layers
/// keep their cross-attention weights (in the checkpoint, as transformers) but never use them: there
/// is no encoder. Unlike the BERT/RoBERTa heads, labels are NOT shifted inside (transformers'
/// BartForCausalLM: labels[t] is the target of logits[t]). The saved config.json has is_decoder true
/// and is_encoder_decoder false, as transformers' constructor sets them.
class BartForCausalLMImpl : public PreTrainedModelImpl {
 public:
  explicit BartForCausalLMImpl(const BartConfig& config);
  /// input_ids/attention_mask (B, T) → logits (B, T, V); labels (B, T), -100 ignored → cross entropy.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"model."}; }
  ParameterLayout parameter_layout() const override {
    return {{"model.decoder.embed_tokens.", "model.decoder.embed_positions.", "model.decoder.layernorm_embedding."},
            {"model.decoder.layers."}};
  }

  BartConfig config;
  std::shared_ptr<torch::nn::Module> model;    ///< "model": holds only "decoder"
  BartStack decoder{nullptr};                  ///< "model.decoder"
  torch::nn::Embedding embed_tokens{nullptr};  ///< "model.decoder.embed_tokens"; also the lm_head
  double embed_scale;
};
TORCH_MODULE(BartForCausalLM);

}  // namespace afinar
