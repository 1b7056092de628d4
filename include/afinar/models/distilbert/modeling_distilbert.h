/// DistilBERT (transformers' modeling_distilbert.py) with the sequence-classification,
/// token-classification, masked-LM and question-answering heads (the token-level ones also take
/// packed rows, cu_seq_lens / seq_idx). Module names are transformers'
/// ("distilbert.transformer.layer.0.attention.q_lin.weight"). No token types and no pooler: the sequence head reads the
/// first token's hidden state.
///
///   auto cfg = afinar::DistilBertConfig::from_json(config_json);
///   auto model = std::make_shared<afinar::DistilBertForSequenceClassificationImpl>(cfg);
///   auto out = model->forward({.input_ids = ids, .attention_mask = mask});   // out.logits: (B, num_labels)
#pragma once
#include <torch/torch.h>

#include "afinar/models/checkpoint.h"
#include "afinar/models/distilbert/configuration_distilbert.h"
#include "afinar/models/modeling.h"

namespace afinar {

/// Word + position embeddings, LayerNorm (eps 1e-12, fixed as transformers), dropout.
class DistilBertEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit DistilBertEmbeddingsImpl(const DistilBertConfig& config);
  /// input_ids (B, T) → (B, T, dim); position_ids may be undefined (0..T-1).
  /// (B, T) → (B, T, dim); padding-free (active grid): (N, dim).
  torch::Tensor forward(const torch::Tensor& input_ids, torch::Tensor position_ids, const TokenGrid& grid = {});

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::Tensor position_ids;  ///< (1, max_position_embeddings) buffer, not saved
};
TORCH_MODULE(DistilBertEmbeddings);

/// q_lin/k_lin/v_lin → scaled dot-product attention → out_lin.
class DistilBertSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit DistilBertSelfAttentionImpl(const DistilBertConfig& config);
  /// hidden (B, T, dim), additive mask (B, 1, 1, T) or undefined → (B, T, dim).
  /// (B, T, dim) or, padding-free, (N, dim) with the mask of the grid's rows.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask, const TokenGrid& grid = {});

  torch::nn::Linear q_lin{nullptr}, k_lin{nullptr}, v_lin{nullptr}, out_lin{nullptr};
  int64_t n_heads, head_size;
  double dropout_p;
};
TORCH_MODULE(DistilBertSelfAttention);

/// lin1 dim → hidden_dim, activation, lin2 → dim, dropout (transformers' FFN).
class DistilBertFFNImpl : public torch::nn::Module {
 public:
  explicit DistilBertFFNImpl(const DistilBertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, dim) → (B, T, dim)

  torch::nn::Linear lin1{nullptr}, lin2{nullptr};
  torch::nn::Dropout dropout{nullptr};
  std::string activation;
};
TORCH_MODULE(DistilBertFFN);

/// Post-norm block: sa_layer_norm(attention + x), output_layer_norm(ffn + ·) (transformers' TransformerBlock).
class DistilBertTransformerBlockImpl : public torch::nn::Module {
 public:
  explicit DistilBertTransformerBlockImpl(const DistilBertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask,
                        const TokenGrid& grid = {});  // (B, T, dim) or (N, dim)

  DistilBertSelfAttention attention{nullptr};
  torch::nn::LayerNorm sa_layer_norm{nullptr};
  DistilBertFFN ffn{nullptr};
  torch::nn::LayerNorm output_layer_norm{nullptr};
};
TORCH_MODULE(DistilBertTransformerBlock);

/// transformers' Transformer: the `layer` list of blocks.
class DistilBertTransformerImpl : public torch::nn::Module, public GradientCheckpointing {
 public:
  explicit DistilBertTransformerImpl(const DistilBertConfig& config);
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& mask,
                        const TokenGrid& grid = {});  // (B, T, dim) or (N, dim)

  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(DistilBertTransformer);

class DistilBertModelImpl : public torch::nn::Module {
 public:
  explicit DistilBertModelImpl(const DistilBertConfig& config);
  /// last_hidden_state (B, T, dim); packed rows (cu_seq_lens / seq_idx) attend within their
  /// sequence, positions restarting per sequence. DistilBERT has no token types.
  /// (B, T, dim); padding-free (an active grid from PreTrainedModelImpl::token_grid): (N, dim).
  torch::Tensor forward(const ModelInputs& inputs, const TokenGrid& grid = {});

  DistilBertConfig config;
  DistilBertEmbeddings embeddings{nullptr};
  DistilBertTransformer transformer{nullptr};
};
TORCH_MODULE(DistilBertModel);

/// transformers' DistilBertPreTrainedModel._init_weights (as BERT's: normal(initializer_range),
/// zero biases and padding row, LayerNorm 1/0) for the parameters named in `only` (all when null).
void distilbert_init_weights(torch::nn::Module& module, const DistilBertConfig& config,
                             const std::vector<std::string>* only = nullptr);

/// Where every DistilBERT head's base is: "distilbert.embeddings.", "distilbert.transformer.layer.".
PreTrainedModelImpl::ParameterLayout distilbert_parameter_layout();

/// hidden[:, 0] → pre_classifier → ReLU → dropout(seq_classif_dropout) → classifier.
class DistilBertForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit DistilBertForSequenceClassificationImpl(const DistilBertConfig& config);
  /// logits (B, num_labels); the loss as sequence_classification_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"distilbert."}; }
  ParameterLayout parameter_layout() const override { return distilbert_parameter_layout(); }

  DistilBertConfig config;
  DistilBertModel distilbert{nullptr};
  torch::nn::Linear pre_classifier{nullptr}, classifier{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DistilBertForSequenceClassification);

/// dropout(dropout) → classifier on every hidden state.
class DistilBertForTokenClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit DistilBertForTokenClassificationImpl(const DistilBertConfig& config);
  /// logits (B, T, num_labels); labels (B, T) with -100 ignored.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"distilbert."}; }
  ParameterLayout parameter_layout() const override { return distilbert_parameter_layout(); }

  DistilBertConfig config;
  DistilBertModel distilbert{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(DistilBertForTokenClassification);

/// transformers' vocab_projector of DistilBertForMaskedLM, less its weight: the decoder weight is
/// the word-embedding matrix passed to forward (transformers ties vocab_projector.weight to
/// distilbert.embeddings.word_embeddings.weight and does not save it); only the bias is its own.
class DistilBertVocabProjectorImpl : public torch::nn::Module {
 public:
  explicit DistilBertVocabProjectorImpl(int64_t vocab_size);
  /// hidden (B, T, dim), decoder_weight (V, dim) → scores (B, T, V).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  torch::Tensor bias;  ///< (V), "vocab_projector.bias"
};
TORCH_MODULE(DistilBertVocabProjector);

/// Masked language modelling: vocab_transform → activation (config.activation) → vocab_layer_norm
/// (eps 1e-12, fixed as transformers) → vocab_projector tied to the word embeddings
/// (tie_word_embeddings must be true, the default).
class DistilBertForMaskedLMImpl : public PreTrainedModelImpl {
 public:
  explicit DistilBertForMaskedLMImpl(const DistilBertConfig& config);
  /// logits (B, T, vocab_size); labels (B, T) token ids, -100 = not masked → cross-entropy loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"distilbert."}; }
  ParameterLayout parameter_layout() const override { return distilbert_parameter_layout(); }

  DistilBertConfig config;
  DistilBertModel distilbert{nullptr};
  torch::nn::Linear vocab_transform{nullptr};
  torch::nn::LayerNorm vocab_layer_norm{nullptr};
  DistilBertVocabProjector vocab_projector{nullptr};
};
TORCH_MODULE(DistilBertForMaskedLM);

/// Extractive question answering: dropout(qa_dropout) → qa_outputs dim → num_labels (2) gives start
/// and end logits per token.
class DistilBertForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  explicit DistilBertForQuestionAnsweringImpl(const DistilBertConfig& config);
  /// start_logits, end_logits (B, T); start_positions/end_positions (B) → question_answering_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"distilbert."}; }
  ParameterLayout parameter_layout() const override { return distilbert_parameter_layout(); }

  DistilBertConfig config;
  DistilBertModel distilbert{nullptr};
  torch::nn::Linear qa_outputs{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DistilBertForQuestionAnswering);

}  // namespace afinar
