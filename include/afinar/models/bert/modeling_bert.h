/// BERT (transformers' modeling_bert.py), encoder only, with the sequence-classification,
/// token-classification, masked-LM, question-answering and causal-LM heads. The encoder and pooler
/// are nn/bert_encoder.h's (shared with RoBERTa). The token-level heads (token classification,
/// masked and causal LM) take packed rows (cu_seq_lens / seq_idx, position_ids restarting per
/// sequence) through a block-diagonal mask; the others refuse them.
///
/// Every module is registered under its transformers attribute name, so `named_parameters()` keys
/// are the checkpoint keys ("bert.encoder.layer.0.attention.self.query.weight", "classifier.bias").
/// Dropout is real: it is active in train() mode and off in eval() mode.
///
///   afinar::BertConfig cfg;  cfg.set_num_labels(2);
///   auto model = std::make_shared<afinar::BertForSequenceClassificationImpl>(cfg);
///   auto out = model->forward({.input_ids = ids, .attention_mask = mask});   // out.logits: (B, 2)
#pragma once
#include <torch/torch.h>

#include "afinar/models/bert/configuration_bert.h"
#include "afinar/models/modeling.h"
#include "afinar/nn/bert_encoder.h"

namespace afinar {

/// Word + position + token-type embeddings, LayerNorm, dropout.
class BertEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit BertEmbeddingsImpl(const BertConfig& config);
  /// input_ids (B, T) → (B, T, H); token_type_ids/position_ids may be undefined.
  /// (B, T) ids → (B, T, H); padding-free (active grid): the real tokens' embeddings (N, H).
  torch::Tensor forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids, torch::Tensor position_ids,
                        const TokenGrid& grid = {});

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::Tensor position_ids;  ///< (1, max_position_embeddings) buffer, not saved
};
TORCH_MODULE(BertEmbeddings);

struct BertModelOutputs {
  torch::Tensor last_hidden_state;  ///< (B, T, H) (zeros at padding when padding-free)
  torch::Tensor pooler_output;      ///< (B, H), undefined without a pooler
  torch::Tensor token_states;       ///< (N, H) the real tokens' states when padding-free, else (B, T, H)
};

class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(const BertConfig& config, bool add_pooling_layer = true);
  /// input_ids (B, T); attention_mask, token_type_ids, position_ids optional; packed rows
  /// (cu_seq_lens / seq_idx) attend within their sequence, positions restarting per sequence.
  /// grid: PreTrainedModelImpl::token_grid of the inputs (inactive = the padded computation).
  BertModelOutputs forward(const ModelInputs& inputs, const TokenGrid& grid = {});

  BertConfig config;
  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};
};
TORCH_MODULE(BertModel);

/// transformers' BertPreTrainedModel._init_weights (nn/init.h's rule with initializer_range) for
/// the parameters of `module` named in `only` (all of them when `only` is null).
void bert_init_weights(torch::nn::Module& module, const BertConfig& config,
                       const std::vector<std::string>* only = nullptr);

/// Where every BERT head's base is: embeddings "bert.embeddings.", layers "bert.encoder.layer.".
PreTrainedModelImpl::ParameterLayout bert_parameter_layout();

class BertForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit BertForSequenceClassificationImpl(const BertConfig& config);
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"bert."}; }
  ParameterLayout parameter_layout() const override { return bert_parameter_layout(); }

  BertConfig config;
  BertModel bert{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(BertForSequenceClassification);

/// Per-token classifier: dropout → classifier on every hidden state; no pooler (as transformers).
class BertForTokenClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit BertForTokenClassificationImpl(const BertConfig& config);
  /// logits (B, T, num_labels); labels (B, T) with -100 ignored → cross-entropy loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"bert."}; }
  ParameterLayout parameter_layout() const override { return bert_parameter_layout(); }

  BertConfig config;
  BertModel bert{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(BertForTokenClassification);

/// dense H → H, hidden_act, LayerNorm (transformers' BertPredictionHeadTransform).
class BertPredictionHeadTransformImpl : public torch::nn::Module {
 public:
  explicit BertPredictionHeadTransformImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, H) → (B, T, H)

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  std::string act;
};
TORCH_MODULE(BertPredictionHeadTransform);

/// transform, then the decoder H → vocab. The decoder weight is not a parameter of its own: it is
/// the word-embedding matrix passed to forward (transformers ties cls.predictions.decoder.weight to
/// bert.embeddings.word_embeddings.weight and decoder.bias to bias, and saves neither decoder key).
class BertLMPredictionHeadImpl : public torch::nn::Module {
 public:
  explicit BertLMPredictionHeadImpl(const BertConfig& config);
  /// hidden (B, T, H), decoder_weight (V, H) → scores (B, T, V).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  BertPredictionHeadTransform transform{nullptr};
  torch::Tensor bias;  ///< (V), "cls.predictions.bias"
};
TORCH_MODULE(BertLMPredictionHead);

/// transformers' BertOnlyMLMHead: holds `predictions`, so that names read "cls.predictions.…".
class BertOnlyMLMHeadImpl : public torch::nn::Module {
 public:
  explicit BertOnlyMLMHeadImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  BertLMPredictionHead predictions{nullptr};
};
TORCH_MODULE(BertOnlyMLMHead);

/// Masked language modelling, the decoder tied to the word embeddings (tie_word_embeddings must be
/// true, the default). No pooler, as transformers.
class BertForMaskedLMImpl : public PreTrainedModelImpl {
 public:
  explicit BertForMaskedLMImpl(const BertConfig& config);
  /// logits (B, T, vocab_size); labels (B, T) token ids, -100 = not masked → cross-entropy loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"bert."}; }
  ParameterLayout parameter_layout() const override { return bert_parameter_layout(); }

  BertConfig config;
  BertModel bert{nullptr};
  BertOnlyMLMHead cls{nullptr};
};
TORCH_MODULE(BertForMaskedLM);

/// Extractive question answering: qa_outputs H → num_labels (2) gives start and end logits per token.
class BertForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  explicit BertForQuestionAnsweringImpl(const BertConfig& config);
  /// start_logits, end_logits (B, T); start_positions/end_positions (B) → question_answering_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"bert."}; }
  ParameterLayout parameter_layout() const override { return bert_parameter_layout(); }

  BertConfig config;
  BertModel bert{nullptr};
  torch::nn::Linear qa_outputs{nullptr};
};
TORCH_MODULE(BertForQuestionAnswering);

/// Causal language modelling (transformers' BertLMHeadModel): BertModel with is_decoder = true
/// (causal self-attention combined with the padding mask), no pooler, and BertForMaskedLM's head with
/// the decoder tied to the word embeddings, so a BertForMaskedLM checkpoint loads into it unchanged.
/// The config must have is_decoder = true (transformers only warns and then attends both ways).
class BertLMHeadModelImpl : public PreTrainedModelImpl {
 public:
  explicit BertLMHeadModelImpl(const BertConfig& config);
  /// logits (B, T, vocab_size); labels (B, T), shifted inside, -100 ignored → causal_lm_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  bool shifts_labels() const override { return true; }
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"bert."}; }
  ParameterLayout parameter_layout() const override { return bert_parameter_layout(); }

  BertConfig config;
  BertModel bert{nullptr};
  BertOnlyMLMHead cls{nullptr};
};
TORCH_MODULE(BertLMHeadModel);

}  // namespace afinar
