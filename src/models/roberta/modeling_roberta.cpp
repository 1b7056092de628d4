// RoBERTa as transformers' models/roberta/modeling_roberta.py (v5.23): the shared BERT-style
// encoder (nn/bert_encoder.cpp), RoBERTa's embeddings and classification head.
#include "afinar/models/roberta/modeling_roberta.h"

#include "afinar/core/check.h"
#include "afinar/nn/init.h"
#include "afinar/nn/masks.h"

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
  token_type_embeddings =
      register_module("token_type_embeddings", nn::Embedding(nn::EmbeddingOptions(c.type_vocab_size, c.hidden_size)));
  LayerNorm = register_module("LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
}

torch::Tensor RobertaEmbeddingsImpl::forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids,
                                             torch::Tensor position_ids, const TokenGrid& grid) {
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
  // Padding-free: the ids of the real tokens only, (N); positions and types follow their tokens.
  torch::Tensor x = word_embeddings(grid.gather(input_ids)) + token_type_embeddings(grid.gather(token_type_ids));
  x = x + position_embeddings(grid.gather(position_ids));  // (B, T, H) or (N, H)
  return dropout(LayerNorm(x));
}

// ---------------------------------------------------------------------------------------------
// RobertaModel

RobertaModelImpl::RobertaModelImpl(const RobertaConfig& c) : config(c) {
  RobertaConfig checked = c;  // is_decoder (causal self-attention) is honoured here; the heads decide
  checked.is_decoder = false;
  checked.validate();
  embeddings = register_module("embeddings", RobertaEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c.encoder_options()));
}

torch::Tensor RobertaModelImpl::forward(const ModelInputs& in, const TokenGrid& grid) {
  AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
               "RobertaModel: input_ids (batch, seq_len) is required");
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  torch::Tensor position_ids = in.position_ids, seq;  // seq: (B, T) sequence ids of packed rows
  if (in.cu_seq_lens.defined() || in.seq_idx.defined()) {
    seq = packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T);
    // Each sequence as if alone: its real tokens count from padding_idx + 1.
    torch::Tensor within = packed_position_ids(seq), alone = within + (embeddings->padding_idx + 1);  // (B, T)
    AFINAR_CHECK(!position_ids.defined() || torch::equal(position_ids.to(torch::kLong), within) ||
                     torch::equal(position_ids.to(torch::kLong), alone),
                 "RobertaModel: position_ids of packed rows must restart at every sequence (0, 1, …, as "
                 "DataCollatorWithFlattening writes them, or from pad_token_id + 1)");
    position_ids = alone;
  }
  torch::Tensor x = embeddings(in.input_ids, in.token_type_ids, position_ids, grid);  // (B, T, H) or (N, H)
  torch::Tensor mask =
      bert_attention_mask(in.attention_mask, seq, config.is_decoder, B, T, x.scalar_type(), x.device(), grid);
  return encoder(x, mask, grid);  // (B, T, H) or (N, H)
}

PreTrainedModelImpl::ParameterLayout roberta_parameter_layout() {
  return {{"roberta.embeddings."}, {"roberta.encoder.layer."}};
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
void init(nn::Module& m, const RobertaConfig& c) {
  init_weights(m, c.initializer_range);
}

// The inputs each head takes (check_inputs); the token-level heads also take packed rows.
#define AFINAR_ROBERTA_INPUTS "input_ids", "attention_mask", "token_type_ids", "position_ids"
}  // namespace

RobertaForSequenceClassificationImpl::RobertaForSequenceClassificationImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  roberta = register_module("roberta", RobertaModel(c));
  classifier = register_module("classifier", RobertaClassificationHead(c));
  init(*this, config);
}

ModelOutputs RobertaForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "RobertaForSequenceClassification", {AFINAR_ROBERTA_INPUTS, "labels"});
  const TokenGrid grid = token_grid(in, GridUse::kFirstTokenPooled);
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(roberta(in, grid));  // (B, T, H)
  out.logits = classifier(out.last_hidden_state);           // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty())  // decided once, from the first labels seen (as transformers)
      config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "RobertaForSequenceClassification");
  }
  return out;
}

nlohmann::json RobertaForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "RobertaForSequenceClassification",
                          classifier->out_proj->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// RobertaForTokenClassification

RobertaForTokenClassificationImpl::RobertaForTokenClassificationImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  roberta = register_module("roberta", RobertaModel(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  init(*this, config);
}

ModelOutputs RobertaForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "RobertaForTokenClassification", {AFINAR_ROBERTA_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = roberta(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);        // (B, T, H)
  torch::Tensor logits = classifier(dropout(h));  // (B, T, C) or (N, C)
  out.logits = grid.scatter(logits);              // (B, T, C)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json RobertaForTokenClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "RobertaForTokenClassification", classifier->weight.scalar_type());
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
  check_tied_word_embeddings(c.extra, "RobertaForMaskedLM");
  roberta = register_module("roberta", RobertaModel(c));
  lm_head = register_module("lm_head", RobertaLMHead(c));
  init(*this, config);
}

ModelOutputs RobertaForMaskedLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, "RobertaForMaskedLM", {AFINAR_ROBERTA_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = roberta(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, H)
  // The tied decoder: read the embedding parameter at each call, so that loading, .to() and
  // optimizer updates of it are seen here.
  torch::Tensor logits = lm_head(h, roberta->embeddings->word_embeddings->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json RobertaForMaskedLMImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "RobertaForMaskedLM", lm_head->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

// ---------------------------------------------------------------------------------------------
// RobertaForQuestionAnswering

RobertaForQuestionAnsweringImpl::RobertaForQuestionAnsweringImpl(const RobertaConfig& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "RobertaForQuestionAnswering: num_labels must be 2 (start, end), got ",
               c.num_labels());
  roberta = register_module("roberta", RobertaModel(c));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.hidden_size, c.num_labels()));
  init(*this, config);
}

ModelOutputs RobertaForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "RobertaForQuestionAnswering", {AFINAR_ROBERTA_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  out.last_hidden_state = roberta(in);  // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out,
                             "RobertaForQuestionAnswering");  // (B, T, 2) → start/end (B, T)
  return out;
}

nlohmann::json RobertaForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "RobertaForQuestionAnswering", qa_outputs->weight.scalar_type());
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
  check_tied_word_embeddings(c.extra, "RobertaForCausalLM");
  roberta = register_module("roberta", RobertaModel(c));
  lm_head = register_module("lm_head", RobertaLMHead(c));
  init(*this, config);
}

ModelOutputs RobertaForCausalLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, "RobertaForCausalLM", {AFINAR_ROBERTA_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = roberta(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);                                          // (B, T, H)
  torch::Tensor logits = lm_head(h, roberta->embeddings->word_embeddings->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);          // shifted: shifts_labels()
  return out;
}

nlohmann::json RobertaForCausalLMImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "RobertaForCausalLM", lm_head->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

}  // namespace afinar
