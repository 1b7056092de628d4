/// RoBERTa (transformers' modeling_roberta.py), encoder only, with the sequence-classification,
/// token-classification, masked-LM, question-answering and causal-LM heads. The encoder is
/// nn/bert_encoder.h's (RobertaEncoder is transformers' copy of BertEncoder; state-dict names under
/// "roberta."); the embeddings differ: position ids count real tokens from pad_token_id + 1. The
/// token-level heads take packed rows (cu_seq_lens / seq_idx) through a block-diagonal mask.
///
///   auto cfg = afinar::RobertaConfig::from_json(config_json);
///   auto model = std::make_shared<afinar::RobertaForSequenceClassificationImpl>(cfg);
///   auto out = model->forward({.input_ids = ids, .attention_mask = mask});   // out.logits: (B, num_labels)
#pragma once
#include <torch/torch.h>

#include "afinar/models/modeling.h"
#include "afinar/models/roberta/configuration_roberta.h"
#include "afinar/nn/bert_encoder.h"

namespace afinar {

/// transformers' create_position_ids_from_input_ids: real tokens get padding_idx + 1, + 2, … in
/// order, padding tokens get padding_idx. input_ids (B, T) → (B, T) int64.
torch::Tensor roberta_position_ids(const torch::Tensor& input_ids, int64_t padding_idx);

/// BertEmbeddings with position ids from the input ids and a padding row in the position table.
class RobertaEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit RobertaEmbeddingsImpl(const RobertaConfig& config);
  /// input_ids (B, T) → (B, T, H); token_type_ids/position_ids may be undefined.
  /// (B, T) ids → (B, T, H); padding-free (active grid): the real tokens' embeddings (N, H).
  torch::Tensor forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids, torch::Tensor position_ids,
                        const TokenGrid& grid = {});

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
  int64_t padding_idx;
};
TORCH_MODULE(RobertaEmbeddings);

/// embeddings → encoder (no pooler: no RoBERTa head uses one) → last_hidden_state (B, T, H).
class RobertaModelImpl : public torch::nn::Module {
 public:
  explicit RobertaModelImpl(const RobertaConfig& config);
  /// Packed rows (cu_seq_lens / seq_idx): each sequence's positions count from pad_token_id + 1 as
  /// if it ran alone; given position_ids must be the collator's (0, 1, … per sequence) or those.
  /// (B, T, H); padding-free (an active grid from PreTrainedModelImpl::token_grid): (N, H).
  torch::Tensor forward(const ModelInputs& inputs, const TokenGrid& grid = {});

  RobertaConfig config;
  RobertaEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
};
TORCH_MODULE(RobertaModel);

/// hidden[:, 0] → dropout → dense → tanh → dropout → out_proj (transformers' RobertaClassificationHead).
/// Where every RoBERTa head's base is: "roberta.embeddings.", "roberta.encoder.layer.".
PreTrainedModelImpl::ParameterLayout roberta_parameter_layout();

class RobertaClassificationHeadImpl : public torch::nn::Module {
 public:
  explicit RobertaClassificationHeadImpl(const RobertaConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // (B, T, H) → (B, num_labels)

  torch::nn::Linear dense{nullptr}, out_proj{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(RobertaClassificationHead);

class RobertaForSequenceClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit RobertaForSequenceClassificationImpl(const RobertaConfig& config);
  /// logits (B, num_labels); the loss as sequence_classification_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"roberta."}; }
  ParameterLayout parameter_layout() const override { return roberta_parameter_layout(); }

  RobertaConfig config;
  RobertaModel roberta{nullptr};
  RobertaClassificationHead classifier{nullptr};
};
TORCH_MODULE(RobertaForSequenceClassification);

class RobertaForTokenClassificationImpl : public PreTrainedModelImpl {
 public:
  explicit RobertaForTokenClassificationImpl(const RobertaConfig& config);
  /// logits (B, T, num_labels); labels (B, T) with -100 ignored.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"roberta."}; }
  ParameterLayout parameter_layout() const override { return roberta_parameter_layout(); }

  RobertaConfig config;
  RobertaModel roberta{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(RobertaForTokenClassification);

/// transformers' RobertaLMHead: dense → gelu (always exact gelu, whatever hidden_act) → layer_norm →
/// decoder H → vocab. The decoder weight is not a parameter of its own: it is the word-embedding
/// matrix passed to forward (transformers ties lm_head.decoder.weight to
/// roberta.embeddings.word_embeddings.weight and lm_head.decoder.bias to lm_head.bias, and saves
/// neither decoder key).
class RobertaLMHeadImpl : public torch::nn::Module {
 public:
  explicit RobertaLMHeadImpl(const RobertaConfig& config);
  /// hidden (B, T, H), decoder_weight (V, H) → scores (B, T, V).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::Tensor bias;  ///< (V), "lm_head.bias"
};
TORCH_MODULE(RobertaLMHead);

/// Masked language modelling, the decoder tied to the word embeddings (tie_word_embeddings must be
/// true, the default). No pooler, as transformers.
class RobertaForMaskedLMImpl : public PreTrainedModelImpl {
 public:
  explicit RobertaForMaskedLMImpl(const RobertaConfig& config);
  /// logits (B, T, vocab_size); labels (B, T) token ids, -100 = not masked → cross-entropy loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"roberta."}; }
  ParameterLayout parameter_layout() const override { return roberta_parameter_layout(); }

  RobertaConfig config;
  RobertaModel roberta{nullptr};
  RobertaLMHead lm_head{nullptr};
};
TORCH_MODULE(RobertaForMaskedLM);

/// Extractive question answering: qa_outputs H → num_labels (2) gives start and end logits per token
/// (no dropout before it, as transformers).
class RobertaForQuestionAnsweringImpl : public PreTrainedModelImpl {
 public:
  explicit RobertaForQuestionAnsweringImpl(const RobertaConfig& config);
  /// start_logits, end_logits (B, T); start_positions/end_positions (B) → question_answering_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"roberta."}; }
  ParameterLayout parameter_layout() const override { return roberta_parameter_layout(); }

  RobertaConfig config;
  RobertaModel roberta{nullptr};
  torch::nn::Linear qa_outputs{nullptr};
};
TORCH_MODULE(RobertaForQuestionAnswering);

/// Causal language modelling (transformers' RobertaForCausalLM): RobertaModel with is_decoder = true
/// (causal self-attention combined with the padding mask), no pooler, RobertaForMaskedLM's head with
/// the decoder tied to the word embeddings. The config must have is_decoder = true (transformers only
/// warns and then attends both ways).
class RobertaForCausalLMImpl : public PreTrainedModelImpl {
 public:
  explicit RobertaForCausalLMImpl(const RobertaConfig& config);
  /// logits (B, T, vocab_size); labels (B, T), shifted inside, -100 ignored → causal_lm_loss.
  ModelOutputs forward(const ModelInputs& inputs) override;
  bool shifts_labels() const override { return true; }
  nlohmann::json config_json() const override;
  std::vector<std::string> base_parameter_prefixes() const override { return {"roberta."}; }
  ParameterLayout parameter_layout() const override { return roberta_parameter_layout(); }

  RobertaConfig config;
  RobertaModel roberta{nullptr};
  RobertaLMHead lm_head{nullptr};
};
TORCH_MODULE(RobertaForCausalLM);

}  // namespace afinar
