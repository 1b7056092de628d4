// RoBERTa as transformers' models/roberta/modeling_roberta.py (v5.23): BERT's encoder and pooler,
// RoBERTa's embeddings and classification head.
#include "afinar/models/roberta/modeling_roberta.h"

#include "afinar/core/check.h"
#include "afinar/models/gpt2/modeling_gpt2.h"  // causal_lm_loss

namespace afinar {

namespace nn = torch::nn;

torch::Tensor roberta_position_ids(const torch::Tensor& input_ids, int64_t padding_idx) {
  torch::Tensor mask = input_ids.ne(padding_idx).to(torch::kInt);  // (B, T) 1 = real token
  torch::Tensor incremental = torch::cumsum(mask, 1).to(torch::kInt) * mask;
  return incremental.to(torch::kLong) + padding_idx;  // (B, T)
}

// ---------------------------------------------------------------------------------------------
// RobertaEmbeddings (modeling_roberta.py: class RobertaEmbeddings)

RobertaEmbeddingsImpl::RobertaEmbeddingsImpl(const RobertaConfig& c) : padding_idx(c.pad_token_id.value_or(1)) {
  word_embeddings = register_module(
      "word_embeddings", nn::Embedding(nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(padding_idx)));
  // The padding row of the position table is never trained either (padding_idx as transformers).
  position_embeddings = register_module(
      "position_embeddings",
      nn::Embedding(nn::EmbeddingOptions(c.max_position_embeddings, c.hidden_size).padding_idx(padding_idx)));
  token_type_embeddings = register_module(
      "token_type_embeddings", nn::Embedding(nn::EmbeddingOptions(c.type_vocab_size, c.hidden_size)));
  LayerNorm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor RobertaEmbeddingsImpl::forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids,
                                             torch::Tensor position_ids) {
  AFINAR_CHECK(input_ids.dim() == 2, "RobertaEmbeddings: input_ids must be (batch, seq_len), got shape ",
               input_ids.sizes());
  if (!position_ids.defined()) {
    position_ids = roberta_position_ids(input_ids, padding_idx);  // (B, T)
    const int64_t P = position_embeddings->weight.size(0);
    AFINAR_CHECK(input_ids.size(1) + padding_idx < P, "RobertaEmbeddings: sequence length ", input_ids.size(1),
                 " exceeds max_position_embeddings - pad_token_id - 1 = ", P - padding_idx - 1,
                 " (HINT: truncate the inputs)");
  }
  if (!token_type_ids.defined()) token_type_ids = torch::zeros_like(input_ids);  // (B, T)
  torch::Tensor x = word_embeddings(input_ids) + token_type_embeddings(token_type_ids);  // (B, T, H)
  x = x + position_embeddings(position_ids);                                               // (B, T, H)
  return dropout(LayerNorm(x));
}

// ---------------------------------------------------------------------------------------------
// RobertaModel

RobertaModelImpl::RobertaModelImpl(const RobertaConfig& c, bool add_pooling_layer) : config(c) {
  RobertaConfig checked = c;  // is_decoder (causal self-attention) is honoured here; the heads decide
  checked.is_decoder = false;
  checked.validate();
  embeddings = register_module("embeddings", RobertaEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c));
  if (add_pooling_layer) pooler = register_module("pooler", BertPooler(c));
}

BertModelOutputs RobertaModelImpl::forward(const ModelInputs& in) {
  AFINAR_CHECK(in.input_ids.defined(), "RobertaModel: input_ids is required");
  torch::Tensor x = embeddings(in.input_ids, in.token_type_ids, in.position_ids);  // (B, T, H)
  torch::Tensor mask = config.is_decoder
                           ? bert_causal_attention_mask(in.attention_mask, x.size(0), x.size(1), x.scalar_type(),
                                                        x.device())  // (B, 1, T, T)
                           : bert_extended_attention_mask(in.attention_mask, x.scalar_type());
  BertModelOutputs out;
  out.last_hidden_state = encoder(x, mask);                        // (B, T, H)
  if (pooler) out.pooler_output = pooler(out.last_hidden_state);  // (B, H)
  return out;
}

// ---------------------------------------------------------------------------------------------
// RobertaClassificationHead, RobertaForSequenceClassification

RobertaClassificationHeadImpl::RobertaClassificationHeadImpl(const RobertaConfig& c) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  out_proj = register_module("out_proj", nn::Linear(c.hidden_size, c.num_labels()));
}

torch::Tensor RobertaClassificationHeadImpl::forward(const torch::Tensor& hidden) {
  torch::Tensor x = dropout(hidden.select(1, 0));  // (B, H): the <s> token
  x = dropout(torch::tanh(dense(x)));              // (B, H)
  return out_proj(x);                              // (B, num_labels)
}

namespace {
nlohmann::json roberta_config_json(const RobertaConfig& config, const char* arch, torch::ScalarType dtype) {
  nlohmann::json j = config.to_json();
  j["architectures"] = {arch};
  j.erase("torch_dtype");  // transformers ≥ 4.56 writes "dtype"
  j["dtype"] = torch_dtype_name(dtype);
  j["transformers_version"] = kTransformersVersion;
  return j;
}
}  // namespace

RobertaForSequenceClassificationImpl::RobertaForSequenceClassificationImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  roberta = register_module("roberta", RobertaModel(c, /*add_pooling_layer=*/false));
  classifier = register_module("classifier", RobertaClassificationHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs RobertaForSequenceClassificationImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = roberta(in).last_hidden_state;  // (B, T, H)
  out.logits = classifier(out.last_hidden_state);          // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty())  // decided once, from the first labels seen (as transformers)
      config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type);
  }
  return out;
}

nlohmann::json RobertaForSequenceClassificationImpl::config_json() const {
  return roberta_config_json(config, "RobertaForSequenceClassification",
                             classifier->out_proj->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// RobertaForTokenClassification

RobertaForTokenClassificationImpl::RobertaForTokenClassificationImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  roberta = register_module("roberta", RobertaModel(c, /*add_pooling_layer=*/false));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs RobertaForTokenClassificationImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = roberta(in).last_hidden_state;     // (B, T, H)
  out.logits = classifier(dropout(out.last_hidden_state));    // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_classification_loss(out.logits, in.labels);
  return out;
}

nlohmann::json RobertaForTokenClassificationImpl::config_json() const {
  return roberta_config_json(config, "RobertaForTokenClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// RobertaLMHead, RobertaForMaskedLM

RobertaLMHeadImpl::RobertaLMHeadImpl(const RobertaConfig& c) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  layer_norm =
      register_module("layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));  // as transformers' _init_weights
}

torch::Tensor RobertaLMHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  torch::Tensor x = layer_norm(torch::gelu(dense(hidden)));       // (B, T, H); exact gelu, not hidden_act
  return torch::nn::functional::linear(x, decoder_weight, bias);  // (B, T, V)
}

RobertaForMaskedLMImpl::RobertaForMaskedLMImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  auto tie = c.extra.find("tie_word_embeddings");
  AFINAR_CHECK(tie == c.extra.end() || !tie->is_boolean() || tie->get<bool>(),
               "RobertaForMaskedLM: tie_word_embeddings = false (an untied decoder) is not supported");
  roberta = register_module("roberta", RobertaModel(c, /*add_pooling_layer=*/false));
  lm_head = register_module("lm_head", RobertaLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs RobertaForMaskedLMImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = roberta(in).last_hidden_state;  // (B, T, H)
  // The tied decoder: read the embedding parameter at each call, so that loading, .to() and
  // optimizer updates of it are seen here.
  out.logits = lm_head(out.last_hidden_state, roberta->embeddings->word_embeddings->weight);  // (B, T, V)
  if (in.labels.defined()) out.loss = token_classification_loss(out.logits, in.labels);
  return out;
}

nlohmann::json RobertaForMaskedLMImpl::config_json() const {
  nlohmann::json j = roberta_config_json(config, "RobertaForMaskedLM", lm_head->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

// ---------------------------------------------------------------------------------------------
// RobertaForQuestionAnswering

RobertaForQuestionAnsweringImpl::RobertaForQuestionAnsweringImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "RobertaForQuestionAnswering: num_labels must be 2 (start, end), got ",
               c.num_labels());
  roberta = register_module("roberta", RobertaModel(c, /*add_pooling_layer=*/false));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs RobertaForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = roberta(in).last_hidden_state;                   // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out);  // (B, T, 2) → start/end (B, T)
  return out;
}

nlohmann::json RobertaForQuestionAnsweringImpl::config_json() const {
  return roberta_config_json(config, "RobertaForQuestionAnswering", qa_outputs->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// RobertaForCausalLM (RobertaModel with is_decoder: causal self-attention; RobertaForMaskedLM's head)

RobertaForCausalLMImpl::RobertaForCausalLMImpl(const RobertaConfig& c) : config(c) {
  AFINAR_CHECK(c.is_decoder,
               "RobertaForCausalLM: config.is_decoder is false: the self-attention would see later tokens "
               "(transformers only warns \"If you want to use `RobertaLMHeadModel` as a standalone, add "
               "`is_decoder=True.`\") (HINT: set \"is_decoder\": true in config.json, or pass "
               "config_overrides {\"is_decoder\": true} to from_pretrained)");
  RobertaConfig checked = c;
  checked.is_decoder = false;
  checked.validate();  // everything but is_decoder, as every RoBERTa head
  auto tie = c.extra.find("tie_word_embeddings");
  AFINAR_CHECK(tie == c.extra.end() || !tie->is_boolean() || tie->get<bool>(),
               "RobertaForCausalLM: tie_word_embeddings = false (an untied decoder) is not supported");
  roberta = register_module("roberta", RobertaModel(c, /*add_pooling_layer=*/false));
  lm_head = register_module("lm_head", RobertaLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs RobertaForCausalLMImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = roberta(in).last_hidden_state;                                      // (B, T, H)
  out.logits = lm_head(out.last_hidden_state, roberta->embeddings->word_embeddings->weight);  // (B, T, V)
  if (in.labels.defined()) out.loss = causal_lm_loss(out.logits, in.labels);
  return out;
}

nlohmann::json RobertaForCausalLMImpl::config_json() const {
  nlohmann::json j = roberta_config_json(config, "RobertaForCausalLM", lm_head->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

}  // namespace afinar
