/// T5 (transformers' models/t5/modeling_t5.py, v5.23): encoder-decoder with relative position
/// buckets, RMS layer norms, "relu" or "gated-{act}" feed-forward blocks and no attention scaling,
/// and its heads: T5ForConditionalGeneration (seq2seq LM), T5ForSequenceClassification (decoder state at
/// the last eos), T5ForTokenClassification (encoder only) and T5ForQuestionAnswering (decoder output).
///
/// Module names are the checkpoint keys ("encoder.block.0.layer.0.SelfAttention.q.weight",
/// "shared.weight", "lm_head.weight"). The encoder/decoder embed_tokens are `shared` (not saved, as
/// transformers); lm_head is `shared` too unless the checkpoint holds an lm_head.weight of its own.
///
///   auto model = afinar::AutoModelForSeq2SeqLM::from_pretrained("tiny_t5");
///   afinar::ModelOutputs out = model->forward({.input_ids = ids, .attention_mask = mask, .labels = labels});
///   // out.logits: (B, Td, vocab_size); decoder_input_ids = shift_right(labels, pad, start) (both 0)
///
/// No T5 head takes packed rows (cu_seq_lens / seq_idx): they throw NotImplemented.
///
/// The heads keep transformers' prefixes: T5ForSequenceClassification's base is "transformer." (a
/// T5Model: transformer.shared, transformer.encoder, transformer.decoder), T5ForTokenClassification's
/// "transformer." (a T5EncoderModel: transformer.shared, transformer.encoder), T5ForQuestionAnswering
/// has shared/encoder/decoder at the top, as T5ForConditionalGeneration.
#pragma once
#include <torch/torch.h>

#include "afinar/models/checkpoint.h"
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
  /// Padding-free: the queries' (hidden's) and the keys' (kv's, or hidden's) grids; an active one
  /// means its input is (N, D) and `keep` is over its rows.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& hidden, const torch::Tensor& kv,
                                                  const torch::Tensor& keep, torch::Tensor position_bias,
                                                  const TokenGrid& q_grid = {}, const TokenGrid& kv_grid = {});

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
                                                  const torch::Tensor& keep, const torch::Tensor& position_bias,
                                                  const TokenGrid& q_grid = {}, const TokenGrid& kv_grid = {});

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
class T5StackImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  T5StackImpl(const T5Config& config, bool is_decoder);
  /// embeds (B, T, D); attention_mask (B, T) 0/1 or undefined; (decoder) encoder_hidden (B, Ts, D)
  /// and encoder_attention_mask (B, Ts) or undefined → (B, T, D).
  /// Padding-free: `grid` active → embeds (N, D), the output (N, D); `encoder_grid` active →
  /// encoder_hidden is the encoder's real tokens (N_enc, D).
  torch::Tensor forward(const torch::Tensor& embeds, const torch::Tensor& attention_mask,
                        const torch::Tensor& encoder_hidden = {}, const torch::Tensor& encoder_attention_mask = {},
                        const TokenGrid& grid = {}, const TokenGrid& encoder_grid = {});

  torch::nn::ModuleList block{nullptr};
  T5LayerNorm final_layer_norm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  bool is_decoder;
};
TORCH_MODULE(T5Stack);

/// transformers' T5PreTrainedModel._init_weights for the parameters of `module` named in `only`
/// (all when null).
void t5_init_weights(torch::nn::Module& module, const T5Config& config, const std::vector<std::string>* only = nullptr);

/// Where a T5 head's base is, under `base` ("" or "transformer"): "<base>.shared." and the
/// encoder's blocks "<base>.encoder.block." (and the decoder's when `decoder`).
PreTrainedModelImpl::ParameterLayout t5_parameter_layout(const std::string& base, bool decoder);

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
  ParameterLayout parameter_layout() const override { return t5_parameter_layout("", true); }
  bool is_encoder_decoder() const override { return true; }

  T5Config config;
  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr}, decoder{nullptr};
  torch::nn::Linear lm_head{nullptr};  ///< no bias; registered only with own_lm_head
};
TORCH_MODULE(T5ForConditionalGeneration);

/// T5Model: shared embedding, encoder and decoder (no head). Base of T5ForSequenceClassification.
class T5ModelImpl : public torch::nn::Module {
 public:
  explicit T5ModelImpl(const T5Config& config);
  /// Runs the encoder unless inputs.encoder_last_hidden_state is given, then the decoder on
  /// decoder_input_ids (B, Td) with inputs.decoder_attention_mask. Returns (decoder output (B, Td, D),
  /// encoder output (B, T, D)); no rescaling (that belongs to the LM head).
  /// encoder_grid: the encoder runs padding-free on it; the encoder output returned is (B, T, D).
  std::pair<torch::Tensor, torch::Tensor> forward(const ModelInputs& inputs, const torch::Tensor& decoder_input_ids,
                                                  const TokenGrid& encoder_grid = {});

  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr}, decoder{nullptr};
};
TORCH_MODULE(T5Model);

/// T5EncoderModel: shared embedding and encoder. Base of T5ForTokenClassification.
class T5EncoderModelImpl : public torch::nn::Module {
 public:
  explicit T5EncoderModelImpl(const T5Config& config);
  /// (B, T) → (B, T, D); padding-free (active grid): (N, D).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const TokenGrid& grid = {});

  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr};
};
TORCH_MODULE(T5EncoderModel);

/// dropout → dense → tanh → dropout → out_proj (T5ClassificationHead; dropout = classifier_dropout).
class T5ClassificationHeadImpl : public torch::nn::Module {
 public:
  explicit T5ClassificationHeadImpl(const T5Config& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, D) → (B, num_labels)

  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(T5ClassificationHead);

class T5ForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit T5ForSequenceClassificationImpl(const T5Config& config);
  /// input_ids (B, T) (required: eos pooling), decoder_input_ids default shift_right(input_ids). The
  /// decoder state at each row's last eos → logits (B, num_labels); every row must hold the same
  /// number (≥ 1) of eos tokens, as transformers requires. labels (B) → loss by problem_type.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }
  ParameterLayout parameter_layout() const override { return t5_parameter_layout("transformer", true); }
  bool is_encoder_decoder() const override { return true; }

  T5Config config;
  T5Model transformer{nullptr};
  T5ClassificationHead classification_head{nullptr};
};
TORCH_MODULE(T5ForSequenceClassification);

class T5ForTokenClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit T5ForTokenClassificationImpl(const T5Config& config);
  /// Encoder only: input_ids/attention_mask (B, T) → logits (B, T, num_labels); labels (B, T) with
  /// -100 ignored → cross entropy.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"transformer."}; }
  ParameterLayout parameter_layout() const override { return t5_parameter_layout("transformer", false); }

  T5Config config;
  T5EncoderModel transformer{nullptr};
  torch::nn::Dropout dropout{nullptr};  ///< classifier_dropout
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(T5ForTokenClassification);

class T5ForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  explicit T5ForQuestionAnsweringImpl(const T5Config& config);
  /// input_ids/attention_mask (B, T); decoder_input_ids (B, Td) default shift_right(input_ids) →
  /// start_logits/end_logits (B, Td) from qa_outputs on the decoder output; start/end_positions (B)
  /// → question_answering_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"shared.", "encoder.", "decoder."}; }
  ParameterLayout parameter_layout() const override { return t5_parameter_layout("", true); }
  bool is_encoder_decoder() const override { return true; }

  T5Config config;
  torch::nn::Embedding shared{nullptr};
  T5Stack encoder{nullptr}, decoder{nullptr};
  torch::nn::Linear qa_outputs{nullptr};  ///< (num_labels = 2, D) with bias
};
TORCH_MODULE(T5ForQuestionAnswering);

}  // namespace afinar
