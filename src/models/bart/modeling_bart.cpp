// BART as transformers' models/bart/modeling_bart.py (v5.23), sdpa attention path: same module
// names, same math. No KV cache: generate() recomputes the decoder over the whole prefix.
#include "afinar/models/bart/modeling_bart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/attention.h"
#include "afinar/nn/init.h"
#include "afinar/nn/losses.h"
#include "afinar/nn/masks.h"
#include "afinar/nn/pooling.h"
#include "afinar/nn/shift.h"

namespace afinar {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

// The inputs each head takes (check_inputs). BART takes no packed rows, no position_ids and no
// token types.
#define AFINAR_BART_SEQ2SEQ_INPUTS \
  "input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "encoder_last_hidden_state"

nn::LayerNorm layer_norm(int64_t d) {
  return nn::LayerNorm(nn::LayerNormOptions({d}));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BartAttention, BartEncoderLayer / BartDecoderLayer

BartAttentionImpl::BartAttentionImpl(int64_t d, int64_t heads, double dropout)
    : num_heads(heads), head_dim(d / heads), dropout_p(dropout) {
  k_proj = register_module("k_proj", nn::Linear(d, d));
  v_proj = register_module("v_proj", nn::Linear(d, d));
  q_proj = register_module("q_proj", nn::Linear(d, d));
  out_proj = register_module("out_proj", nn::Linear(d, d));
}

torch::Tensor BartAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& kv,
                                         const torch::Tensor& mask, const TokenGrid& q_grid, const TokenGrid& kv_grid) {
  const torch::Tensor& src = kv.defined() ? kv : hidden;
  // Padding-free: the projections ran on the real tokens; attention sees them as rows.
  torch::Tensor q = q_grid.to_rows(q_proj(hidden)), k = kv_grid.to_rows(k_proj(src)),
                v = kv_grid.to_rows(v_proj(src));  // (B, Tq|Tk, D)
  const int64_t B = q.size(0), Tq = q.size(1), Tk = k.size(1);
  auto heads = [&](const torch::Tensor& x, int64_t T) {  // (B, T, D) → (B, nh, T, hd)
    return x.view({B, T, num_heads, head_dim}).transpose(1, 2);
  };
  torch::Tensor out = dot_product_attention(heads(q, Tq), heads(k, Tk), heads(v, Tk), {mask},
                                            1.0 / std::sqrt(static_cast<double>(head_dim)), dropout_p,
                                            is_training());  // (B, nh, Tq, hd)
  return out_proj(
      q_grid.from_rows(out.transpose(1, 2).reshape({B, Tq, num_heads * head_dim})));  // (B, Tq, D) or (N, D)
}

BartLayerImpl::BartLayerImpl(const BartConfig& c, bool is_decoder)
    : act(c.activation_function), dropout(c.dropout), activation_dropout(c.activation_dropout) {
  const int64_t heads = is_decoder ? c.decoder_attention_heads : c.encoder_attention_heads;
  const int64_t ffn = is_decoder ? c.decoder_ffn_dim : c.encoder_ffn_dim;
  self_attn = register_module("self_attn", BartAttention(c.d_model, heads, c.attention_dropout));
  self_attn_layer_norm = register_module("self_attn_layer_norm", layer_norm(c.d_model));
  if (is_decoder) {
    encoder_attn = register_module("encoder_attn", BartAttention(c.d_model, heads, c.attention_dropout));
    encoder_attn_layer_norm = register_module("encoder_attn_layer_norm", layer_norm(c.d_model));
  }
  fc1 = register_module("fc1", nn::Linear(c.d_model, ffn));
  fc2 = register_module("fc2", nn::Linear(ffn, c.d_model));
  final_layer_norm = register_module("final_layer_norm", layer_norm(c.d_model));
}

torch::Tensor BartLayerImpl::forward(torch::Tensor h, const torch::Tensor& mask, const torch::Tensor& encoder_hidden,
                                     const torch::Tensor& encoder_mask, const TokenGrid& grid,
                                     const TokenGrid& encoder_grid) {
  const bool train = is_training();
  h = self_attn_layer_norm(h + F::dropout(self_attn(h, torch::Tensor(), mask, grid, grid),
                                          F::DropoutFuncOptions().p(dropout).training(train)));
  if (encoder_attn && encoder_hidden.defined())
    h = encoder_attn_layer_norm(h + F::dropout(encoder_attn(h, encoder_hidden, encoder_mask, grid, encoder_grid),
                                               F::DropoutFuncOptions().p(dropout).training(train)));
  torch::Tensor f =
      F::dropout(apply_activation(fc1(h), act), F::DropoutFuncOptions().p(activation_dropout).training(train));
  f = F::dropout(fc2(f), F::DropoutFuncOptions().p(dropout).training(train));
  return final_layer_norm(h + f);  // (B, T, D)
}

// ---------------------------------------------------------------------------------------------
// BartEncoder / BartDecoder, BartModel

BartStackImpl::BartStackImpl(const BartConfig& c, bool is_decoder_)
    : is_decoder(is_decoder_), dropout(c.dropout), layerdrop(is_decoder_ ? c.decoder_layerdrop : c.encoder_layerdrop) {
  // BartLearnedPositionalEmbedding: max_position_embeddings + 2 rows, position p reads row p + 2.
  embed_positions = register_module("embed_positions", nn::Embedding(c.max_position_embeddings + 2, c.d_model));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < (is_decoder ? c.decoder_layers : c.encoder_layers); ++i)
    layers->push_back(BartLayer(c, is_decoder));
  layernorm_embedding = register_module("layernorm_embedding", layer_norm(c.d_model));
}

torch::Tensor BartStackImpl::forward(const torch::Tensor& embeds, const torch::Tensor& attention_mask,
                                     const torch::Tensor& encoder_hidden, const torch::Tensor& encoder_attention_mask,
                                     const TokenGrid& grid, const TokenGrid& encoder_grid) {
  const int64_t T = grid.active() ? grid.width() : embeds.size(1);
  const int64_t P = embed_positions->weight.size(0) - 2;
  AFINAR_CHECK(T <= P, "BART: sequence length ", T, " exceeds max_position_embeddings ", P,
               " (HINT: truncate the inputs to ", P, " tokens)");
  const auto dtype = embeds.scalar_type();
  torch::Tensor positions = torch::arange(2, T + 2, embeds.options().dtype(torch::kLong));  // (T)
  positions = grid.active() ? grid.gather(positions.unsqueeze(0)) : positions;              // padding-free: (N)
  torch::Tensor h = layernorm_embedding(embeds + embed_positions(positions));               // (B, T, D) or (N, D)
  h = F::dropout(h, F::DropoutFuncOptions().p(dropout).training(is_training()));

  torch::Tensor mask;  // additive (B|1, 1, T|1, T), undefined = attend everywhere
  // Over the grid's rows when padding-free (a padded batch's rows are its own: the same mask).
  torch::Tensor keep = padding_keep_mask(grid.active() ? grid.rows_attention_mask() : attention_mask);  // (B, 1, 1, T)
  if (is_decoder) {
    torch::Tensor causal = causal_keep_mask(T, embeds.device());  // (1, 1, T, T)
    keep = keep.defined() ? keep.logical_and(causal) : causal;
  }
  if (keep.defined()) mask = additive_mask(keep, dtype);
  torch::Tensor cross_mask =
      is_decoder ? padding_attention_mask(encoder_attention_mask, dtype) : torch::Tensor();  // (B, 1, 1, Ts)

  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *layers) {
    if (is_training() && layerdrop > 0.0 && torch::rand({}).item<double>() < layerdrop) continue;  // LayerDrop
    auto layer = std::dynamic_pointer_cast<BartLayerImpl>(m);
    if (!ckpt) {
      h = layer->forward(h, mask, encoder_hidden, cross_mask, grid, encoder_grid);  // (B, T, D) or (N, D)
      continue;
    }
    // The masks and grids need no gradient: captured. The encoder output does (cross-attention): an input.
    if (encoder_hidden.defined()) {
      h = checkpoint(
          [layer, mask, cross_mask, grid, encoder_grid](const std::vector<torch::Tensor>& x) {
            return std::vector<torch::Tensor>{layer->forward(x[0], mask, x[1], cross_mask, grid, encoder_grid)};
          },
          {h, encoder_hidden})[0];
    } else {
      h = checkpoint(
          [layer, mask, grid](const std::vector<torch::Tensor>& x) {
            return std::vector<torch::Tensor>{layer->forward(x[0], mask, torch::Tensor(), torch::Tensor(), grid)};
          },
          {h})[0];
    }
  }
  return h;  // (B, T, D) or (N, D)
}

BartModelImpl::BartModelImpl(const BartConfig& c)
    : config(c), embed_scale(c.scale_embedding ? std::sqrt(static_cast<double>(c.d_model)) : 1.0) {
  auto opts = nn::EmbeddingOptions(c.vocab_size, c.d_model);
  if (c.pad_token_id) opts.padding_idx(*c.pad_token_id);  // no gradient into the padding row
  shared = register_module("shared", nn::Embedding(opts));
  encoder = register_module("encoder", BartStack(c, /*is_decoder=*/false));
  decoder = register_module("decoder", BartStack(c, /*is_decoder=*/true));
}

std::pair<torch::Tensor, torch::Tensor> BartModelImpl::forward(const ModelInputs& in, torch::Tensor dec_ids,
                                                               const TokenGrid& encoder_grid) {
  if (!dec_ids.defined()) {
    AFINAR_CHECK(in.input_ids.defined(), "BART: decoder_input_ids, labels or input_ids is required");
    AFINAR_CHECK(config.pad_token_id && config.decoder_start_token_id,
                 "BART: pad_token_id and decoder_start_token_id must be set to shift input_ids right");
    dec_ids = shift_right(in.input_ids, *config.pad_token_id, *config.decoder_start_token_id);
  }
  torch::Tensor enc = in.encoder_last_hidden_state, enc_tokens;  // (B, T, D); (N, D) padding-free
  TokenGrid grid;                                                // the encoder's (given states are padded)
  if (!enc.defined()) {
    AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
                 "BART: input_ids (batch, seq_len) or encoder_last_hidden_state is required");
    grid = encoder_grid;
    enc_tokens = encoder->forward(shared(grid.gather(in.input_ids)) * embed_scale, in.attention_mask, {}, {}, grid);
    enc = grid.scatter(enc_tokens);  // (B, T, D), zeros at padding
  }
  // Cross-attention reads the encoder's real tokens as rows of the encoder's grid.
  torch::Tensor dec = decoder->forward(shared(dec_ids) * embed_scale, in.decoder_attention_mask,
                                       grid.active() ? enc_tokens : enc, in.attention_mask, {}, grid);
  return {dec, enc};  // (B, Td, D), (B, T, D)
}

// ---------------------------------------------------------------------------------------------
// Weight init (PreTrainedModel._init_weights with std = init_std; BartPreTrainedModel adds final_logits_bias)

void bart_init_weights(nn::Module& module, const BartConfig& c, const std::vector<std::string>* only) {
  init_weights(module, c.init_std, only, [](const std::string& prefix, nn::Module& m, const InitScope& wanted) {
    // BartPreTrainedModel._init_weights also zeroes final_logits_bias; its sub-modules follow.
    if (auto* g = dynamic_cast<BartForConditionalGenerationImpl*>(&m))
      if (wanted(join_name(prefix, "final_logits_bias"))) g->final_logits_bias.zero_();
    return false;
  });
}

PreTrainedModelImpl::ParameterLayout bart_parameter_layout() {
  return {{"model.shared.", "model.encoder.embed_positions.", "model.encoder.layernorm_embedding.",
           "model.decoder.embed_positions.", "model.decoder.layernorm_embedding."},
          {"model.encoder.layers.", "model.decoder.layers."}};
}

// ---------------------------------------------------------------------------------------------
// BartForConditionalGeneration

BartForConditionalGenerationImpl::BartForConditionalGenerationImpl(const BartConfig& c, bool own_lm_head) : config(c) {
  config.validate();
  model = register_module("model", BartModel(c));
  if (own_lm_head)
    lm_head = register_module("lm_head", nn::Linear(nn::LinearOptions(c.d_model, c.vocab_size).bias(false)));
  final_logits_bias = register_parameter("final_logits_bias", torch::zeros({1, c.vocab_size}), /*requires_grad=*/false);
  bart_init_weights(*this, config);
}

ModelOutputs BartForConditionalGenerationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BartForConditionalGeneration", {AFINAR_BART_SEQ2SEQ_INPUTS, "labels"});
  torch::Tensor dec_ids = in.decoder_input_ids;
  if (!dec_ids.defined() && in.labels.defined()) {
    AFINAR_CHECK(config.pad_token_id && config.decoder_start_token_id,
                 "BartForConditionalGeneration: pad_token_id and decoder_start_token_id must be set to shift labels");
    dec_ids = shift_right(in.labels, *config.pad_token_id, *config.decoder_start_token_id);
  }
  ModelOutputs out;
  std::tie(out.last_hidden_state, out.encoder_last_hidden_state) =
      model(in, dec_ids, token_grid(in, GridUse::kEncoder));
  out.logits = F::linear(out.last_hidden_state, lm_head ? lm_head->weight : model->shared->weight) +
               final_logits_bias;  // (B, Td, V)
  if (in.labels.defined()) out.loss = token_labels_loss(out.logits, in);
  return out;
}

nlohmann::json BartForConditionalGenerationImpl::config_json() const {
  nlohmann::json j =
      head_config_json(config.to_json(), "BartForConditionalGeneration", model->shared->weight.scalar_type());
  j["tie_word_embeddings"] = !lm_head;
  return j;
}

// ---------------------------------------------------------------------------------------------
// BartForSequenceClassification

BartClassificationHeadImpl::BartClassificationHeadImpl(int64_t input_dim, int64_t inner_dim, int64_t num_classes,
                                                       double pooler_dropout) {
  dense = register_module("dense", nn::Linear(input_dim, inner_dim));
  dropout = register_module("dropout", nn::Dropout(pooler_dropout));
  out_proj = register_module("out_proj", nn::Linear(inner_dim, num_classes));
}

torch::Tensor BartClassificationHeadImpl::forward(const torch::Tensor& x) {
  return out_proj(dropout(torch::tanh(dense(dropout(x)))));
}

BartForSequenceClassificationImpl::BartForSequenceClassificationImpl(const BartConfig& c) : config(c) {
  config.validate();
  model = register_module("model", BartModel(c));
  classification_head = register_module(
      "classification_head", BartClassificationHead(c.d_model, c.d_model, c.num_labels(), c.classifier_dropout));
  bart_init_weights(*this, config);
}

ModelOutputs BartForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BartForSequenceClassification", {AFINAR_BART_SEQ2SEQ_INPUTS, "labels"});
  AFINAR_CHECK(in.input_ids.defined(), "BartForSequenceClassification: input_ids is required (eos pooling)");
  ModelOutputs out;
  std::tie(out.last_hidden_state, out.encoder_last_hidden_state) =
      model(in, in.decoder_input_ids, token_grid(in, GridUse::kEncoder));
  // (B, T, D) → the last <eos> of each row (B, D)
  torch::Tensor pooled =
      last_eos_pool(out.last_hidden_state, in.input_ids, config.eos_id(), "BartForSequenceClassification");
  out.logits = classification_head(pooled);  // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty()) config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "BartForSequenceClassification");
  }
  return out;
}

nlohmann::json BartForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "BartForSequenceClassification", model->shared->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BartForQuestionAnswering

namespace {
BartConfig with_two_labels(BartConfig c) {
  c.set_num_labels(2);  // transformers: config.num_labels = 2
  return c;
}
}  // namespace

BartForQuestionAnsweringImpl::BartForQuestionAnsweringImpl(const BartConfig& c) : config(with_two_labels(c)) {
  config.validate();
  model = register_module("model", BartModel(config));
  qa_outputs = register_module("qa_outputs", nn::Linear(config.d_model, 2));
  bart_init_weights(*this, config);
}

ModelOutputs BartForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BartForQuestionAnswering", {AFINAR_BART_SEQ2SEQ_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  // decoder_input_ids undefined: BartModel shifts input_ids right.
  std::tie(out.last_hidden_state, out.encoder_last_hidden_state) = model(in, in.decoder_input_ids);
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out,
                             "BartForQuestionAnswering");  // (B, Td, 2) → start/end (B, Td)
  return out;
}

nlohmann::json BartForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "BartForQuestionAnswering", model->shared->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// BartForCausalLM (BartDecoderWrapper: model.decoder = BartDecoder with its own embed_tokens)

BartForCausalLMImpl::BartForCausalLMImpl(const BartConfig& c)
    : config(c), embed_scale(c.scale_embedding ? std::sqrt(static_cast<double>(c.d_model)) : 1.0) {
  config.validate();
  AFINAR_CHECK(c.tie_word_embeddings,
               "BartForCausalLM: tie_word_embeddings = false (an untied lm_head) is not supported");
  model = register_module("model", std::make_shared<nn::Module>());
  decoder = model->register_module("decoder", BartStack(c, /*is_decoder=*/true));
  auto opts = nn::EmbeddingOptions(c.vocab_size, c.d_model);
  if (c.pad_token_id) opts.padding_idx(*c.pad_token_id);  // no gradient into the padding row
  embed_tokens = decoder->register_module("embed_tokens", nn::Embedding(opts));
  bart_init_weights(*this, config);
}

ModelOutputs BartForCausalLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, "BartForCausalLM", {"input_ids", "attention_mask", "position_ids", "labels"});
  AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
               "BartForCausalLM: input_ids (batch, seq_len) is required");
  // BART's learned positions are 0..T-1 whatever the padding (transformers' BartForCausalLM takes no
  // position_ids); generate() passes them: accepted only when they say the same.
  AFINAR_CHECK(
      !in.position_ids.defined() ||
          in.position_ids.eq(torch::arange(in.input_ids.size(1), in.position_ids.options())).all().item<bool>(),
      "BartForCausalLM: position_ids other than 0..T-1 (left padding) cannot be honoured: BART's positions "
      "ignore padding (HINT: right-pad the prompts, or pass no position_ids)");
  const TokenGrid grid = token_grid(in);
  ModelOutputs out;
  // No encoder: the decoder layers skip their (unused) cross-attention.
  torch::Tensor h = decoder->forward(embed_tokens(grid.gather(in.input_ids)) * embed_scale, in.attention_mask, {}, {},
                                     grid);                   // (B, T, D) or (N, D)
  out.last_hidden_state = grid.scatter(h);                    // (B, T, D)
  torch::Tensor logits = F::linear(h, embed_tokens->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                          // (B, T, V)
  // transformers' BartForCausalLM does not shift: labels[t] is the target of logits[t].
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json BartForCausalLMImpl::config_json() const {
  nlohmann::json j = head_config_json(config.to_json(), "BartForCausalLM", embed_tokens->weight.scalar_type());
  j["is_decoder"] = true;  // as transformers' constructor sets them
  j["is_encoder_decoder"] = false;
  j["tie_word_embeddings"] = true;
  return j;
}

}  // namespace afinar
