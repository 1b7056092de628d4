// DistilBERT as transformers' models/distilbert/modeling_distilbert.py (v5.23): same module
// names, same math (sdpa attention, post-norm blocks).
#include "afinar/models/distilbert/modeling_distilbert.h"

#include <cmath>

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/attention.h"
#include "afinar/nn/init.h"
#include "afinar/nn/masks.h"

namespace afinar {

namespace nn = torch::nn;

namespace {
nn::LayerNorm layer_norm(const DistilBertConfig& c) {
  return nn::LayerNorm(nn::LayerNormOptions({c.dim}).eps(1e-12));  // fixed in transformers
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Embeddings (modeling_distilbert.py: class Embeddings)

DistilBertEmbeddingsImpl::DistilBertEmbeddingsImpl(const DistilBertConfig& c) {
  auto word = nn::EmbeddingOptions(c.vocab_size, c.dim);
  if (c.pad_token_id) word.padding_idx(*c.pad_token_id);
  word_embeddings = register_module("word_embeddings", nn::Embedding(word));
  position_embeddings =
      register_module("position_embeddings", nn::Embedding(nn::EmbeddingOptions(c.max_position_embeddings, c.dim)));
  LayerNorm = register_module("LayerNorm", layer_norm(c));
  dropout = register_module("dropout", nn::Dropout(c.dropout));
  position_ids = register_buffer("position_ids", torch::arange(c.max_position_embeddings).unsqueeze(0));  // (1, P)
}

torch::Tensor DistilBertEmbeddingsImpl::forward(const torch::Tensor& input_ids, torch::Tensor position_ids_in,
                                                const TokenGrid& grid) {
  AFINAR_CHECK(input_ids.dim() == 2, "DistilBertEmbeddings: input_ids must be (batch, seq_len), got shape ",
               input_ids.sizes());
  const int64_t T = input_ids.size(1), P = position_ids.size(1);
  if (!position_ids_in.defined()) {
    AFINAR_CHECK(T <= P, "DistilBertEmbeddings: sequence length ", T, " exceeds max_position_embeddings ", P,
                 " (HINT: truncate the inputs to ", P, " tokens)");
    position_ids_in = position_ids.slice(1, 0, T);  // (1, T)
  }
  // Padding-free: the real tokens only, (N); positions follow their tokens.
  torch::Tensor x = word_embeddings(grid.gather(input_ids)) + position_embeddings(grid.gather(position_ids_in));
  return dropout(LayerNorm(x));
}

// ---------------------------------------------------------------------------------------------
// DistilBertSelfAttention, FFN, TransformerBlock, Transformer

DistilBertSelfAttentionImpl::DistilBertSelfAttentionImpl(const DistilBertConfig& c)
    : n_heads(c.n_heads), head_size(c.dim / c.n_heads), dropout_p(c.attention_dropout) {
  q_lin = register_module("q_lin", nn::Linear(c.dim, c.dim));
  k_lin = register_module("k_lin", nn::Linear(c.dim, c.dim));
  v_lin = register_module("v_lin", nn::Linear(c.dim, c.dim));
  out_lin = register_module("out_lin", nn::Linear(c.dim, c.dim));
}

torch::Tensor DistilBertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask,
                                                   const TokenGrid& grid) {
  // Padding-free: the projections ran on the N real tokens; attention sees them as rows (R, L, dim).
  torch::Tensor q = grid.to_rows(q_lin(hidden)), k = grid.to_rows(k_lin(hidden)), v = grid.to_rows(v_lin(hidden));
  const int64_t B = q.size(0), T = q.size(1);
  auto heads = [&](const torch::Tensor& x) {  // (B, T, dim) → (B, nh, T, hd)
    return x.view({B, T, n_heads, head_size}).transpose(1, 2);
  };
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_size));
  torch::Tensor out =
      dot_product_attention(heads(q), heads(k), heads(v), {mask}, scale, dropout_p, is_training());  // (B, nh, T, hd)
  return out_lin(grid.from_rows(out.transpose(1, 2).reshape({B, T, n_heads * head_size})));  // (B, T, dim) or (N, dim)
}

DistilBertFFNImpl::DistilBertFFNImpl(const DistilBertConfig& c) : activation(c.activation) {
  dropout = register_module("dropout", nn::Dropout(c.dropout));
  lin1 = register_module("lin1", nn::Linear(c.dim, c.hidden_dim));
  lin2 = register_module("lin2", nn::Linear(c.hidden_dim, c.dim));
}

torch::Tensor DistilBertFFNImpl::forward(const torch::Tensor& hidden) {
  return dropout(lin2(apply_activation(lin1(hidden), activation)));  // (B, T, hidden_dim) → (B, T, dim)
}

DistilBertTransformerBlockImpl::DistilBertTransformerBlockImpl(const DistilBertConfig& c) {
  attention = register_module("attention", DistilBertSelfAttention(c));
  sa_layer_norm = register_module("sa_layer_norm", layer_norm(c));
  ffn = register_module("ffn", DistilBertFFN(c));
  output_layer_norm = register_module("output_layer_norm", layer_norm(c));
}

torch::Tensor DistilBertTransformerBlockImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask,
                                                      const TokenGrid& grid) {
  torch::Tensor a = sa_layer_norm(attention(hidden, mask, grid) + hidden);  // (B, T, dim) or (N, dim)
  return output_layer_norm(ffn(a) + a);                                     // (B, T, dim) or (N, dim)
}

DistilBertTransformerImpl::DistilBertTransformerImpl(const DistilBertConfig& c) {
  layer = register_module("layer", nn::ModuleList());
  for (int64_t i = 0; i < c.n_layers; ++i) layer->push_back(DistilBertTransformerBlock(c));
}

torch::Tensor DistilBertTransformerImpl::forward(torch::Tensor hidden, const torch::Tensor& mask,
                                                 const TokenGrid& grid) {
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *layer) {
    auto block = std::dynamic_pointer_cast<DistilBertTransformerBlockImpl>(m);
    if (!ckpt) {
      hidden = block->forward(hidden, mask, grid);
      continue;
    }
    hidden = checkpoint(
        [block, mask, grid](const std::vector<torch::Tensor>& x) {
          return std::vector<torch::Tensor>{block->forward(x[0], mask, grid)};
        },
        {hidden})[0];  // the mask and the grid need no gradient: captured
  }
  return hidden;  // (B, T, dim) or (N, dim)
}

// ---------------------------------------------------------------------------------------------
// DistilBertModel

DistilBertModelImpl::DistilBertModelImpl(const DistilBertConfig& c) : config(c) {
  config.validate();
  embeddings = register_module("embeddings", DistilBertEmbeddings(c));
  transformer = register_module("transformer", DistilBertTransformer(c));
}

torch::Tensor DistilBertModelImpl::forward(const ModelInputs& in, const TokenGrid& grid) {
  AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
               "DistilBertModel: input_ids (batch, seq_len) is required");
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  torch::Tensor position_ids = in.position_ids;
  if (in.cu_seq_lens.defined() || in.seq_idx.defined()) {  // packed rows: each sequence attends to itself
    torch::Tensor seq = packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T);  // (B, T)
    if (!position_ids.defined()) position_ids = packed_position_ids(seq);
    torch::Tensor x = embeddings(in.input_ids, position_ids, grid);  // (B, T, dim) or (N, dim)
    if (grid.active())                                               // one grid row per sequence
      return transformer(x, padding_attention_mask(grid.rows_attention_mask(), x.scalar_type()), grid);
    return transformer(x, block_diagonal_mask(seq, /*causal=*/false, x.scalar_type(), /*additive=*/true, std::nullopt,
                                              in.attention_mask)
                              .mask);  // (B, T, dim)
  }
  torch::Tensor x = embeddings(in.input_ids, position_ids, grid);                           // (B, T, dim) or (N, dim)
  return transformer(x, padding_attention_mask(in.attention_mask, x.scalar_type()), grid);  // (B, T, dim) or (N, dim)
}

void distilbert_init_weights(nn::Module& module, const DistilBertConfig& c, const std::vector<std::string>* only) {
  init_weights(module, c.initializer_range, only);  // BERT's rule
}

PreTrainedModelImpl::ParameterLayout distilbert_parameter_layout() {
  return {{"distilbert.embeddings."}, {"distilbert.transformer.layer."}};
}

namespace {
// The inputs each head takes (check_inputs); the token-level heads also take packed rows.
#define AFINAR_DISTILBERT_INPUTS "input_ids", "attention_mask", "position_ids"
}  // namespace

// ---------------------------------------------------------------------------------------------
// DistilBertForSequenceClassification

DistilBertForSequenceClassificationImpl::DistilBertForSequenceClassificationImpl(const DistilBertConfig& c)
    : config(c) {
  config.validate();
  distilbert = register_module("distilbert", DistilBertModel(c));
  pre_classifier = register_module("pre_classifier", nn::Linear(c.dim, c.dim));
  classifier = register_module("classifier", nn::Linear(c.dim, c.num_labels()));
  dropout = register_module("dropout", nn::Dropout(c.seq_classif_dropout));
  distilbert_init_weights(*this, config);
}

ModelOutputs DistilBertForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "DistilBertForSequenceClassification", {AFINAR_DISTILBERT_INPUTS, "labels"});
  const TokenGrid grid = token_grid(in, GridUse::kFirstTokenPooled);
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(distilbert(in, grid));                              // (B, T, dim)
  torch::Tensor pooled = torch::relu(pre_classifier(out.last_hidden_state.select(1, 0)));  // (B, dim)
  out.logits = classifier(dropout(pooled));                                                // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty())  // decided once, from the first labels seen (as transformers)
      config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "DistilBertForSequenceClassification");
  }
  return out;
}

nlohmann::json DistilBertForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "DistilBertForSequenceClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// DistilBertForTokenClassification

DistilBertForTokenClassificationImpl::DistilBertForTokenClassificationImpl(const DistilBertConfig& c) : config(c) {
  config.validate();
  distilbert = register_module("distilbert", DistilBertModel(c));
  dropout = register_module("dropout", nn::Dropout(c.dropout));
  classifier = register_module("classifier", nn::Linear(c.dim, c.num_labels()));
  distilbert_init_weights(*this, config);
}

ModelOutputs DistilBertForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "DistilBertForTokenClassification", {AFINAR_DISTILBERT_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = distilbert(in, grid);  // (B, T, dim) or (N, dim)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);        // (B, T, dim)
  torch::Tensor logits = classifier(dropout(h));  // (B, T, num_labels) or (N, num_labels)
  out.logits = grid.scatter(logits);              // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json DistilBertForTokenClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "DistilBertForTokenClassification", classifier->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// DistilBertForMaskedLM

DistilBertVocabProjectorImpl::DistilBertVocabProjectorImpl(int64_t vocab_size) {
  bias = register_parameter("bias", torch::zeros({vocab_size}));  // as transformers' _init_weights (Linear bias)
}

torch::Tensor DistilBertVocabProjectorImpl::forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
  return torch::nn::functional::linear(hidden, decoder_weight, bias);  // (B, T, V)
}

DistilBertForMaskedLMImpl::DistilBertForMaskedLMImpl(const DistilBertConfig& c) : config(c) {
  config.validate();
  check_tied_word_embeddings(c.extra, "DistilBertForMaskedLM");
  distilbert = register_module("distilbert", DistilBertModel(c));
  vocab_transform = register_module("vocab_transform", nn::Linear(c.dim, c.dim));
  vocab_layer_norm = register_module("vocab_layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.dim}).eps(1e-12)));
  vocab_projector = register_module("vocab_projector", DistilBertVocabProjector(c.vocab_size));
  distilbert_init_weights(*this, config);
}

ModelOutputs DistilBertForMaskedLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, "DistilBertForMaskedLM", {AFINAR_DISTILBERT_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = distilbert(in, grid);  // (B, T, dim) or (N, dim)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, dim)
  torch::Tensor x = vocab_layer_norm(apply_activation(vocab_transform(h), config.activation));
  // The tied decoder: read the embedding parameter at each call, so that loading, .to() and
  // optimizer updates of it are seen here.
  torch::Tensor logits = vocab_projector(x, distilbert->embeddings->word_embeddings->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                           // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json DistilBertForMaskedLMImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "DistilBertForMaskedLM", vocab_projector->bias.scalar_type());
  j["tie_word_embeddings"] = true;
  return j;
}

// ---------------------------------------------------------------------------------------------
// DistilBertForQuestionAnswering

DistilBertForQuestionAnsweringImpl::DistilBertForQuestionAnsweringImpl(const DistilBertConfig& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "DistilBertForQuestionAnswering: num_labels must be 2 (start, end), got ",
               c.num_labels());
  distilbert = register_module("distilbert", DistilBertModel(c));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.dim, c.num_labels()));
  dropout = register_module("dropout", nn::Dropout(c.qa_dropout));
  distilbert_init_weights(*this, config);
}

ModelOutputs DistilBertForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "DistilBertForQuestionAnswering", {AFINAR_DISTILBERT_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  out.last_hidden_state = distilbert(in);  // (B, T, dim)
  question_answering_outputs(qa_outputs(dropout(out.last_hidden_state)), in, out, "DistilBertForQuestionAnswering");
  return out;
}

nlohmann::json DistilBertForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "DistilBertForQuestionAnswering", qa_outputs->weight.scalar_type());
}

}  // namespace afinar
