// BERT as transformers' models/bert/modeling_bert.py (v5.23): same module names, same math. The
// encoder stack and pooler are nn/bert_encoder.cpp's.
#include "afinar/models/bert/modeling_bert.h"

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/init.h"
#include "afinar/nn/masks.h"

namespace afinar {

namespace nn = torch::nn;

namespace {

nn::LayerNorm layer_norm(const BertConfig& c) {
  return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

// The inputs each head takes (check_inputs); the token-level heads also take packed rows.
#define AFINAR_BERT_INPUTS "input_ids", "attention_mask", "token_type_ids", "position_ids"

}  // namespace

// ---------------------------------------------------------------------------------------------
// BertEmbeddings (modeling_bert.py: class BertEmbeddings)

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) {
  auto word = nn::EmbeddingOptions(c.vocab_size, c.hidden_size);
  if (c.pad_token_id) word.padding_idx(*c.pad_token_id);  // no gradient flows into the padding row
  word_embeddings = register_module("word_embeddings", nn::Embedding(word));
  position_embeddings = register_module("position_embeddings",
                                        nn::Embedding(nn::EmbeddingOptions(c.max_position_embeddings, c.hidden_size)));
  token_type_embeddings =
      register_module("token_type_embeddings", nn::Embedding(nn::EmbeddingOptions(c.type_vocab_size, c.hidden_size)));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
  dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  // (1, P); a buffer so that .to(device) moves it; not part of the saved weights (non-persistent in HF)
  position_ids = register_buffer("position_ids", torch::arange(c.max_position_embeddings).unsqueeze(0));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, torch::Tensor token_type_ids,
                                          torch::Tensor position_ids_in, const TokenGrid& grid) {
  AFINAR_CHECK(input_ids.dim() == 2, "BertEmbeddings: input_ids must be (batch, seq_len), got shape ",
               input_ids.sizes());
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  const int64_t P = position_ids.size(1);
  if (!position_ids_in.defined()) {
    AFINAR_CHECK(T <= P, "BertEmbeddings: sequence length ", T, " exceeds max_position_embeddings ", P,
                 " (HINT: truncate the inputs to ", P, " tokens)");
    position_ids_in = position_ids.slice(1, 0, T);  // (1, T)
  }
  if (!token_type_ids.defined()) token_type_ids = torch::zeros({B, T}, input_ids.options());  // (B, T)
  // Padding-free: the ids of the real tokens only, (N); positions and types follow their tokens.
  torch::Tensor x = word_embeddings(grid.gather(input_ids)) + token_type_embeddings(grid.gather(token_type_ids));
  x = x + position_embeddings(grid.gather(position_ids_in));  // (B, T, H) or (N, H)
  return dropout(LayerNorm(x));
}

// ---------------------------------------------------------------------------------------------
// BertModel

BertModelImpl::BertModelImpl(const BertConfig& c, bool add_pooling_layer) : config(c) {
  BertConfig checked = c;  // is_decoder (causal self-attention) is BertModel's to honour; the heads decide
  checked.is_decoder = false;
  checked.validate();
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c.encoder_options()));
  if (add_pooling_layer) pooler = register_module("pooler", BertPooler(c.hidden_size));
}

BertModelOutputs BertModelImpl::forward(const ModelInputs& in, const TokenGrid& grid) {
  AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2, "BertModel: input_ids (batch, seq_len) is required");
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  torch::Tensor position_ids = in.position_ids, seq;  // seq: (B, T) sequence ids of packed rows
  if (in.cu_seq_lens.defined() || in.seq_idx.defined()) {
    seq = packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T);
    if (!position_ids.defined()) position_ids = packed_position_ids(seq);  // restart per sequence
  }
  torch::Tensor x = embeddings(in.input_ids, in.token_type_ids, position_ids, grid);  // (B, T, H) or (N, H)
  torch::Tensor mask =
      bert_attention_mask(in.attention_mask, seq, config.is_decoder, B, T, x.scalar_type(), x.device(), grid);
  BertModelOutputs out;
  out.token_states = encoder(x, mask, grid);                      // (B, T, H) or (N, H)
  out.last_hidden_state = grid.scatter(out.token_states);         // (B, T, H)
  if (pooler) out.pooler_output = pooler(out.last_hidden_state);  // (B, H)
  return out;
}

void bert_init_weights(nn::Module& module, const BertConfig& c, const std::vector<std::string>* only) {
  init_weights(module, c.initializer_range, only);
}

PreTrainedModelImpl::ParameterLayout bert_parameter_layout() {
  return {{"bert.embeddings."}, {"bert.encoder.layer."}};
}

// ---------------------------------------------------------------------------------------------
// BertForSequenceClassification

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(const BertConfig& c) : config(c) {
  config.validate();
  bert = register_module("bert", BertModel(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BertForSequenceClassification", {AFINAR_BERT_INPUTS, "labels"});
  BertModelOutputs base = bert(in, token_grid(in, GridUse::kFirstTokenPooled));
  ModelOutputs out;
  out.last_hidden_state = base.last_hidden_state;        // (B, T, H)
  out.logits = classifier(dropout(base.pooler_output));  // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty())  // decided once, from the first labels seen (as transformers)
      config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "BertForSequenceClassification");
  }
  return out;
}

nlohmann::json BertForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "BertForSequenceClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertForTokenClassification

BertForTokenClassificationImpl::BertForTokenClassificationImpl(const BertConfig& c) : config(c) {
  config.validate();
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
  classifier = register_module("classifier", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BertForTokenClassification", {AFINAR_BERT_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  BertModelOutputs base = bert(in, grid);
  ModelOutputs out;
  out.last_hidden_state = base.last_hidden_state;                 // (B, T, H)
  torch::Tensor logits = classifier(dropout(base.token_states));  // (B, T, num_labels) or (N, num_labels)
  out.logits = grid.scatter(logits);                              // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json BertForTokenClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "BertForTokenClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertForMaskedLM (BertPredictionHeadTransform, BertLMPredictionHead, BertOnlyMLMHead)

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const BertConfig& c) : act(c.hidden_act) {
  dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden) {
  return LayerNorm(apply_activation(dense(hidden), act));  // (B, T, H)
}

BertLMPredictionHeadImpl::BertLMPredictionHeadImpl(const BertConfig& c) {
  transform = register_module("transform", BertPredictionHeadTransform(c));
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));  // as transformers' _init_weights
}

torch::Tensor BertLMPredictionHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  return torch::nn::functional::linear(transform(hidden), decoder_weight, bias);  // (B, T, V)
}

BertOnlyMLMHeadImpl::BertOnlyMLMHeadImpl(const BertConfig& c) {
  predictions = register_module("predictions", BertLMPredictionHead(c));
}

torch::Tensor BertOnlyMLMHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  return predictions(hidden, decoder_weight);
}

BertForMaskedLMImpl::BertForMaskedLMImpl(const BertConfig& c) : config(c) {
  config.validate();
  check_tied_word_embeddings(c.extra, "BertForMaskedLM");
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  cls = register_module("cls", BertOnlyMLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs BertForMaskedLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BertForMaskedLM", {AFINAR_BERT_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  BertModelOutputs base = bert(in, grid);
  ModelOutputs out;
  out.last_hidden_state = base.last_hidden_state;  // (B, T, H)
  // The tied decoder: read the embedding parameter at each call, so that loading, .to() and
  // optimizer updates of it are seen here.
  torch::Tensor logits = cls(base.token_states, bert->embeddings->word_embeddings->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                         // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json BertForMaskedLMImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "BertForMaskedLM", cls->predictions->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

// ---------------------------------------------------------------------------------------------
// BertForQuestionAnswering

BertForQuestionAnsweringImpl::BertForQuestionAnsweringImpl(const BertConfig& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "BertForQuestionAnswering: num_labels must be 2 (start, end), got ",
               c.num_labels());
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.hidden_size, c.num_labels()));
  bert_init_weights(*this, config);
}

ModelOutputs BertForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BertForQuestionAnswering", {AFINAR_BERT_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  out.last_hidden_state = bert(in).last_hidden_state;  // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out, "BertForQuestionAnswering");
  return out;
}

nlohmann::json BertForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "BertForQuestionAnswering", qa_outputs->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BertLMHeadModel (BertModel with is_decoder: causal self-attention; BertForMaskedLM's tied head)

BertLMHeadModelImpl::BertLMHeadModelImpl(const BertConfig& c) : config(c) {
  AFINAR_CHECK(c.is_decoder,
               "BertLMHeadModel: config.is_decoder is false: the self-attention would see later tokens "
               "(transformers only warns \"If you want to use `BertLMHeadModel` as a standalone, add "
               "`is_decoder=True.`\") (HINT: set \"is_decoder\": true in config.json, or pass "
               "config_overrides {\"is_decoder\": true} to from_pretrained)");
  BertConfig checked = c;
  checked.is_decoder = false;
  checked.validate();  // everything but is_decoder, as every BERT head
  check_tied_word_embeddings(c.extra, "BertLMHeadModel");
  bert = register_module("bert", BertModel(c, /*add_pooling_layer=*/false));
  cls = register_module("cls", BertOnlyMLMHead(c));
  bert_init_weights(*this, config);
}

ModelOutputs BertLMHeadModelImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BertLMHeadModel", {AFINAR_BERT_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  BertModelOutputs base = bert(in, grid);
  ModelOutputs out;
  out.last_hidden_state = base.last_hidden_state;                                            // (B, T, H)
  torch::Tensor logits = cls(base.token_states, bert->embeddings->word_embeddings->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                         // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);                   // shifted: shifts_labels()
  return out;
}

nlohmann::json BertLMHeadModelImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "BertLMHeadModel", cls->predictions->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

}  // namespace afinar
