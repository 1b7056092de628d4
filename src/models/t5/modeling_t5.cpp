// T5 as transformers' models/t5/modeling_t5.py (v5.23), sdpa attention path: same module names,
// same math. No KV cache: generate() recomputes the decoder over the whole prefix.
#include "afinar/models/t5/modeling_t5.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/attention.h"
#include "afinar/nn/dtype.h"
#include "afinar/nn/init.h"
#include "afinar/nn/losses.h"
#include "afinar/nn/masks.h"
#include "afinar/nn/pooling.h"
#include "afinar/nn/shift.h"

namespace afinar {

namespace nn = torch::nn;

namespace {

// The inputs each head takes (check_inputs). T5 takes no packed rows, no position_ids (its
// positions are relative) and no token types.
#define AFINAR_T5_SEQ2SEQ_INPUTS \
  "input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "encoder_last_hidden_state"

nn::Linear linear(int64_t in, int64_t out) {
  return nn::Linear(nn::LinearOptions(in, out).bias(false));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// T5LayerNorm, T5DenseActDense / T5DenseGatedActDense, T5LayerFF

T5LayerNormImpl::T5LayerNormImpl(int64_t hidden_size, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({hidden_size}));
}

torch::Tensor T5LayerNormImpl::forward(const torch::Tensor& x) {
  torch::Tensor variance = x.to(torch::kFloat).pow(2).mean(-1, /*keepdim=*/true);  // (B, T, 1)
  torch::Tensor h = x * torch::rsqrt(variance + eps);
  if (weight.scalar_type() == torch::kHalf || weight.scalar_type() == torch::kBFloat16) h = h.to(weight.scalar_type());
  return weight * h;
}

T5DenseActDenseImpl::T5DenseActDenseImpl(const T5Config& c) : act(c.dense_act_fn()) {
  if (c.is_gated_act()) {
    wi_0 = register_module("wi_0", linear(c.d_model, c.d_ff));
    wi_1 = register_module("wi_1", linear(c.d_model, c.d_ff));
  } else {
    wi = register_module("wi", linear(c.d_model, c.d_ff));
  }
  wo = register_module("wo", linear(c.d_ff, c.d_model));
  dropout = register_module("dropout", nn::Dropout(c.dropout_rate));
}

torch::Tensor T5DenseActDenseImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = wi ? apply_activation(wi(x), act) : apply_activation(wi_0(x), act) * wi_1(x);  // (B, T, F)
  h = dropout(h);
  if (h.scalar_type() != wo->weight.scalar_type()) h = h.to(wo->weight.scalar_type());  // wo kept in fp32
  return wo(h);                                                                         // (B, T, D)
}

T5LayerFFImpl::T5LayerFFImpl(const T5Config& c) {
  DenseReluDense = register_module("DenseReluDense", T5DenseActDense(c));
  layer_norm = register_module("layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
  dropout = register_module("dropout", nn::Dropout(c.dropout_rate));
}

torch::Tensor T5LayerFFImpl::forward(const torch::Tensor& x) {
  return x + dropout(DenseReluDense(layer_norm(x)));
}

// ---------------------------------------------------------------------------------------------
// T5Attention

torch::Tensor t5_relative_position_bucket(const torch::Tensor& relative_position, bool bidirectional,
                                          int64_t num_buckets, int64_t max_distance) {
  torch::Tensor buckets = torch::zeros_like(relative_position);
  torch::Tensor rp = relative_position;
  if (bidirectional) {
    num_buckets /= 2;
    buckets = buckets + (rp > 0).to(torch::kLong) * num_buckets;
    rp = rp.abs();
  } else {
    rp = -torch::min(rp, torch::zeros_like(rp));
  }
  // Half of the buckets are exact increments; the other half logarithmically bigger bins up to max_distance.
  const int64_t max_exact = num_buckets / 2;
  torch::Tensor is_small = rp < max_exact;
  torch::Tensor large = max_exact + (torch::log(rp.to(torch::kFloat) / static_cast<double>(max_exact)) /
                                     std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
                                     static_cast<double>(num_buckets - max_exact))
                                        .to(torch::kLong);
  large = torch::min(large, torch::full_like(large, num_buckets - 1));
  return buckets + torch::where(is_small, rp, large);
}

T5AttentionImpl::T5AttentionImpl(const T5Config& c, bool has_relative_attention_bias, bool is_decoder_)
    : n_heads(c.num_heads),
      d_kv(c.d_kv),
      num_buckets(c.relative_attention_num_buckets),
      max_distance(c.relative_attention_max_distance),
      is_decoder(is_decoder_),
      dropout_p(c.dropout_rate) {
  const int64_t inner = c.num_heads * c.d_kv;
  q = register_module("q", linear(c.d_model, inner));
  k = register_module("k", linear(c.d_model, inner));
  v = register_module("v", linear(c.d_model, inner));
  o = register_module("o", linear(inner, c.d_model));
  if (has_relative_attention_bias)
    relative_attention_bias =
        register_module("relative_attention_bias", nn::Embedding(c.relative_attention_num_buckets, c.num_heads));
}

torch::Tensor T5AttentionImpl::compute_bias(int64_t query_length, int64_t key_length) {
  auto opts = torch::TensorOptions().dtype(torch::kLong).device(relative_attention_bias->weight.device());
  torch::Tensor context = torch::arange(query_length, opts).unsqueeze(1);  // (Tq, 1)
  torch::Tensor memory = torch::arange(key_length, opts).unsqueeze(0);     // (1, Tk)
  torch::Tensor bucket = t5_relative_position_bucket(memory - context, /*bidirectional=*/!is_decoder, num_buckets,
                                                     max_distance);        // (Tq, Tk)
  return relative_attention_bias(bucket).permute({2, 0, 1}).unsqueeze(0);  // (1, nh, Tq, Tk)
}

std::pair<torch::Tensor, torch::Tensor> T5AttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& kv,
                                                                 const torch::Tensor& keep, torch::Tensor position_bias,
                                                                 const TokenGrid& q_grid, const TokenGrid& kv_grid) {
  const torch::Tensor& src = kv.defined() ? kv : hidden;
  // Padding-free: the projections ran on the real tokens; attention sees them as rows.
  torch::Tensor qr = q_grid.to_rows(q(hidden)), kr = kv_grid.to_rows(k(src)), vr = kv_grid.to_rows(v(src));
  const int64_t B = qr.size(0), Tq = qr.size(1), Tk = kr.size(1);
  auto heads = [&](const torch::Tensor& x, int64_t T) {  // (B, T, nh·dk) → (B, nh, T, dk)
    return x.view({B, T, n_heads, d_kv}).transpose(1, 2);
  };
  torch::Tensor qs = heads(qr, Tq), ks = heads(kr, Tk), vs = heads(vr, Tk);
  if (!position_bias.defined()) {
    position_bias = relative_attention_bias ? compute_bias(Tq, Tk) : torch::zeros({1, n_heads, Tq, Tk}, qs.options());
  }
  // The bias is the additive mask; masked positions get finfo.min (transformers' create_position_bias_mask).
  torch::Tensor mask =
      keep.defined() ? torch::where(keep, position_bias, torch::full({}, finfo_min(qs.scalar_type()), qs.options()))
                     : position_bias;  // (B|1, nh, Tq, Tk)
  torch::Tensor out = dot_product_attention(qs, ks, vs, {mask}, /*scale=*/1.0, dropout_p, is_training());
  return {o(q_grid.from_rows(out.transpose(1, 2).reshape({B, Tq, n_heads * d_kv}))), position_bias};  // (B, Tq, D)
}

T5LayerAttentionImpl::T5LayerAttentionImpl(const T5Config& c, bool cross, bool has_relative_attention_bias,
                                           bool is_decoder) {
  attention = register_module(cross ? "EncDecAttention" : "SelfAttention",
                              T5Attention(c, has_relative_attention_bias, is_decoder));
  layer_norm = register_module("layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
  dropout = register_module("dropout", nn::Dropout(c.dropout_rate));
}

std::pair<torch::Tensor, torch::Tensor> T5LayerAttentionImpl::forward(
    const torch::Tensor& hidden, const torch::Tensor& kv, const torch::Tensor& keep, const torch::Tensor& position_bias,
    const TokenGrid& q_grid, const TokenGrid& kv_grid) {
  auto [out, bias] = attention(layer_norm(hidden), kv, keep, position_bias, q_grid, kv_grid);
  return {hidden + dropout(out), bias};
}

T5BlockImpl::T5BlockImpl(const T5Config& c, bool has_relative_attention_bias, bool is_decoder_)
    : is_decoder(is_decoder_) {
  layer = register_module("layer", nn::ModuleList());
  layer->push_back(T5LayerAttention(c, /*cross=*/false, has_relative_attention_bias, is_decoder));
  if (is_decoder) layer->push_back(T5LayerAttention(c, /*cross=*/true, false, is_decoder));
  layer->push_back(T5LayerFF(c));
}

// ---------------------------------------------------------------------------------------------
// T5Stack

namespace {

struct T5BlockOutputs {
  torch::Tensor hidden, bias, cross_bias;
};

// One T5Block: self-attention, (decoder, when encoder_hidden is defined) cross-attention, feed-forward.
// An undefined bias/cross_bias is computed here (the first block) and returned for the other blocks.
// hidden (B, T, D) → (B, T, D); padding-free: (N, D) on `grid`, encoder_hidden on `encoder_grid`.
T5BlockOutputs t5_block_forward(T5BlockImpl& block, const torch::Tensor& hidden, const torch::Tensor& keep,
                                const torch::Tensor& bias, const torch::Tensor& encoder_hidden,
                                const torch::Tensor& cross_keep, const torch::Tensor& cross_bias, const TokenGrid& grid,
                                const TokenGrid& encoder_grid) {
  auto& layers = *block.layer;
  T5BlockOutputs out;
  std::tie(out.hidden, out.bias) = layers[0]->as<T5LayerAttentionImpl>()->forward(hidden, {}, keep, bias, grid, grid);
  if (encoder_hidden.defined())
    std::tie(out.hidden, out.cross_bias) = layers[1]->as<T5LayerAttentionImpl>()->forward(
        out.hidden, encoder_hidden, cross_keep, cross_bias, grid, encoder_grid);
  out.hidden = layers[layers.size() - 1]->as<T5LayerFFImpl>()->forward(out.hidden);
  return out;
}

// The same through checkpoint(). Its inputs are what may need a gradient: the hidden state, the
// encoder output, a bias from a trainable relative_attention_bias (the first block's, reused by the
// others); the masks and the all-zero cross-attention bias are captured.
T5BlockOutputs t5_block_checkpointed(const std::shared_ptr<T5BlockImpl>& block, const torch::Tensor& hidden,
                                     const torch::Tensor& keep, const torch::Tensor& bias,
                                     const torch::Tensor& encoder_hidden, const torch::Tensor& cross_keep,
                                     const torch::Tensor& cross_bias, const TokenGrid& grid,
                                     const TokenGrid& encoder_grid) {
  std::vector<torch::Tensor> inputs = {hidden};
  auto slot = [&](const torch::Tensor& t) -> int {  // index into inputs, or -1 = captured as is
    if (!t.defined() || !t.requires_grad()) return -1;
    inputs.push_back(t);
    return static_cast<int>(inputs.size()) - 1;
  };
  const int enc_i = slot(encoder_hidden), bias_i = slot(bias), cross_bias_i = slot(cross_bias);
  const bool new_bias = !bias.defined(), new_cross_bias = encoder_hidden.defined() && !cross_bias.defined();
  std::vector<torch::Tensor> out = checkpoint(
      [=](const std::vector<torch::Tensor>& x) {
        auto pick = [&](int i, const torch::Tensor& captured) { return i < 0 ? captured : x[i]; };
        T5BlockOutputs o = t5_block_forward(*block, x[0], keep, pick(bias_i, bias), pick(enc_i, encoder_hidden),
                                            cross_keep, pick(cross_bias_i, cross_bias), grid, encoder_grid);
        std::vector<torch::Tensor> r = {o.hidden};
        if (new_bias) r.push_back(o.bias);
        if (new_cross_bias) r.push_back(o.cross_bias);
        return r;
      },
      inputs);
  T5BlockOutputs o{out[0], bias, cross_bias};
  size_t next = 1;
  auto& layers = *block->layer;
  // A bias from an attention without relative_attention_bias is zeros: it needs no gradient, while a
  // checkpoint output always has a grad_fn.
  auto constant_bias = [&](size_t layer_index) {
    return !layers[layer_index]->as<T5LayerAttentionImpl>()->attention->relative_attention_bias;
  };
  if (new_bias) {
    o.bias = out[next++];
    if (constant_bias(0)) o.bias = o.bias.detach();
  }
  if (new_cross_bias) {
    o.cross_bias = out[next++];
    if (constant_bias(1)) o.cross_bias = o.cross_bias.detach();
  }
  return o;
}

}  // namespace

T5StackImpl::T5StackImpl(const T5Config& c, bool is_decoder_) : is_decoder(is_decoder_) {
  block = register_module("block", nn::ModuleList());
  const int64_t n = is_decoder ? c.decoder_layers() : c.num_layers;
  for (int64_t i = 0; i < n; ++i) block->push_back(T5Block(c, /*has_relative_attention_bias=*/i == 0, is_decoder));
  final_layer_norm = register_module("final_layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
  dropout = register_module("dropout", nn::Dropout(c.dropout_rate));
}

torch::Tensor T5StackImpl::forward(const torch::Tensor& embeds, const torch::Tensor& attention_mask,
                                   const torch::Tensor& encoder_hidden, const torch::Tensor& encoder_attention_mask,
                                   const TokenGrid& grid, const TokenGrid& encoder_grid) {
  const int64_t T = grid.active() ? grid.width() : embeds.size(1);
  // Which keys each query may see: (B|1, 1, T|1, T) bool, or undefined = all; over the grid's rows
  // when padding-free (a padded batch's rows are its own: the same mask).
  torch::Tensor keep = padding_keep_mask(grid.active() ? grid.rows_attention_mask() : attention_mask);  // (B, 1, 1, T)
  if (is_decoder) {
    torch::Tensor causal = causal_keep_mask(T, embeds.device());  // (1, 1, T, T)
    keep = keep.defined() ? keep.logical_and(causal) : causal;
  }
  torch::Tensor cross_keep = is_decoder ? padding_keep_mask(encoder_attention_mask) : torch::Tensor();  // (B, 1, 1, Ts)

  torch::Tensor h = dropout(embeds);  // (B, T, D) or (N, D)
  torch::Tensor bias, cross_bias;     // computed by the first block, shared by the others
  const torch::Tensor enc = is_decoder ? encoder_hidden : torch::Tensor();
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *block) {
    auto b = std::dynamic_pointer_cast<T5BlockImpl>(m);
    T5BlockOutputs o = ckpt ? t5_block_checkpointed(b, h, keep, bias, enc, cross_keep, cross_bias, grid, encoder_grid)
                            : t5_block_forward(*b, h, keep, bias, enc, cross_keep, cross_bias, grid, encoder_grid);
    h = o.hidden;
    bias = o.bias;
    cross_bias = o.cross_bias;
  }
  return dropout(final_layer_norm(h));  // (B, T, D) or (N, D)
}

// ---------------------------------------------------------------------------------------------
// Weight init (T5PreTrainedModel._init_weights)

void t5_init_weights(nn::Module& module, const T5Config& c, const std::vector<std::string>* only) {
  torch::NoGradGuard no_grad;
  const InitScope wanted{only};
  auto join = [](const std::string& prefix, const char* leaf) { return join_name(prefix, leaf); };
  const double f = c.initializer_factor, dm = static_cast<double>(c.d_model);
  auto normal = [&](const std::string& name, torch::Tensor& w, double std) {
    if (wanted(name)) w.normal_(0.0, std);
  };
  auto zero = [&](const std::string& name, torch::Tensor& b) {
    if (wanted(name)) b.zero_();
  };
  for (const auto& [prefix, m] : modules_with_names(module)) {
    if (auto* ln = dynamic_cast<T5LayerNormImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) ln->weight.fill_(f);
    } else if (auto* ff = dynamic_cast<T5DenseActDenseImpl*>(m)) {
      for (auto [name, lin] : {std::pair{"wi", ff->wi}, {"wi_0", ff->wi_0}, {"wi_1", ff->wi_1}})
        if (lin) normal(join(prefix, name) + ".weight", lin->weight, f * std::pow(dm, -0.5));
      normal(join(prefix, "wo.weight"), ff->wo->weight, f * std::pow(static_cast<double>(c.d_ff), -0.5));
    } else if (auto* a = dynamic_cast<T5AttentionImpl*>(m)) {
      normal(join(prefix, "q.weight"), a->q->weight, f * std::pow(dm * static_cast<double>(c.d_kv), -0.5));
      normal(join(prefix, "k.weight"), a->k->weight, f * std::pow(dm, -0.5));
      normal(join(prefix, "v.weight"), a->v->weight, f * std::pow(dm, -0.5));
      normal(join(prefix, "o.weight"), a->o->weight, f * std::pow(static_cast<double>(c.num_heads * c.d_kv), -0.5));
      if (a->relative_attention_bias)
        normal(join(prefix, "relative_attention_bias.weight"), a->relative_attention_bias->weight,
               f * std::pow(dm, -0.5));
    } else if (auto* g = dynamic_cast<T5ForConditionalGenerationImpl*>(m)) {
      normal(join(prefix, "shared.weight"), g->shared->weight, f);
      if (g->lm_head) normal(join(prefix, "lm_head.weight"), g->lm_head->weight, f);
    } else if (auto* tm = dynamic_cast<T5ModelImpl*>(m)) {
      normal(join(prefix, "shared.weight"), tm->shared->weight, f);
    } else if (auto* em = dynamic_cast<T5EncoderModelImpl*>(m)) {
      normal(join(prefix, "shared.weight"), em->shared->weight, f);
    } else if (auto* qa = dynamic_cast<T5ForQuestionAnsweringImpl*>(m)) {
      normal(join(prefix, "shared.weight"), qa->shared->weight, f);
      normal(join(prefix, "qa_outputs.weight"), qa->qa_outputs->weight, f * std::pow(dm, -0.5));
      zero(join(prefix, "qa_outputs.bias"), qa->qa_outputs->bias);
    } else if (auto* tc = dynamic_cast<T5ForTokenClassificationImpl*>(m)) {
      normal(join(prefix, "classifier.weight"), tc->classifier->weight, f);
      zero(join(prefix, "classifier.bias"), tc->classifier->bias);
    } else if (auto* head = dynamic_cast<T5ClassificationHeadImpl*>(m)) {
      normal(join(prefix, "dense.weight"), head->dense->weight, f * std::pow(dm, -0.5));
      zero(join(prefix, "dense.bias"), head->dense->bias);
      normal(join(prefix, "out_proj.weight"), head->out_proj->weight, f * std::pow(dm, -0.5));
      zero(join(prefix, "out_proj.bias"), head->out_proj->bias);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// T5ForConditionalGeneration

PreTrainedModelImpl::ParameterLayout t5_parameter_layout(const std::string& base, bool decoder) {
  const std::string p = base.empty() ? "" : base + ".";
  std::vector<std::string> stacks = {p + "encoder.block."};
  if (decoder) stacks.push_back(p + "decoder.block.");
  return {{p + "shared."}, stacks};
}

T5ForConditionalGenerationImpl::T5ForConditionalGenerationImpl(const T5Config& c, bool own_lm_head) : config(c) {
  config.validate();
  shared = register_module("shared", nn::Embedding(c.vocab_size, c.d_model));
  encoder = register_module("encoder", T5Stack(c, /*is_decoder=*/false));
  decoder = register_module("decoder", T5Stack(c, /*is_decoder=*/true));
  if (own_lm_head) lm_head = register_module("lm_head", linear(c.d_model, c.vocab_size));
  t5_init_weights(*this, config);
}

ModelOutputs T5ForConditionalGenerationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "T5ForConditionalGeneration", {AFINAR_T5_SEQ2SEQ_INPUTS, "labels"});
  ModelOutputs out;
  out.encoder_last_hidden_state = in.encoder_last_hidden_state;
  torch::Tensor enc = in.encoder_last_hidden_state;  // what cross-attention reads: (B, T, D), or (N, D) on grid
  TokenGrid grid;                                    // the encoder's (given states are padded)
  if (!out.encoder_last_hidden_state.defined()) {
    AFINAR_CHECK(in.input_ids.defined(),
                 "T5ForConditionalGeneration: input_ids (or encoder_last_hidden_state) is required");
    AFINAR_CHECK(in.input_ids.dim() == 2, "T5ForConditionalGeneration: input_ids must be (batch, seq_len), got shape ",
                 in.input_ids.sizes());
    grid = token_grid(in, GridUse::kEncoder);
    enc = encoder->forward(shared(grid.gather(in.input_ids)), in.attention_mask, {}, {}, grid);  // (B, T, D) or (N, D)
    out.encoder_last_hidden_state = grid.scatter(enc);                                           // (B, T, D)
  }
  torch::Tensor dec_ids = in.decoder_input_ids;
  if (!dec_ids.defined()) {
    AFINAR_CHECK(in.labels.defined(), "T5ForConditionalGeneration: decoder_input_ids or labels is required");
    AFINAR_CHECK(config.decoder_start_token_id && config.pad_token_id,
                 "T5ForConditionalGeneration: decoder_start_token_id and pad_token_id must be set in config.json "
                 "to build decoder_input_ids from labels (HINT: T5 uses the pad token, 0)");
    dec_ids = shift_right(in.labels, *config.pad_token_id, *config.decoder_start_token_id);
  }
  torch::Tensor h =
      decoder->forward(shared(dec_ids), in.decoder_attention_mask, enc, in.attention_mask, {}, grid);  // (B, Td, D)
  out.last_hidden_state = h;
  if (config.scales_decoder_outputs()) h = h * std::pow(static_cast<double>(config.d_model), -0.5);
  out.logits = torch::nn::functional::linear(h, lm_head ? lm_head->weight : shared->weight);  // (B, Td, V)
  if (in.labels.defined()) out.loss = token_labels_loss(out.logits, in);
  return out;
}

namespace {
/// decoder_input_ids, else T5PreTrainedModel._shift_right(input_ids) (the heads other than the LM).
torch::Tensor t5_decoder_ids_from_inputs(const ModelInputs& in, const T5Config& config, const char* arch) {
  if (in.decoder_input_ids.defined()) return in.decoder_input_ids;
  AFINAR_CHECK(in.input_ids.defined(), arch, ": decoder_input_ids or input_ids is required");
  AFINAR_CHECK(config.decoder_start_token_id && config.pad_token_id, arch,
               ": decoder_start_token_id and pad_token_id must be set in config.json to build decoder_input_ids "
               "from input_ids (HINT: T5 uses the pad token, 0)");
  return shift_right(in.input_ids, *config.pad_token_id, *config.decoder_start_token_id);  // (B, T)
}
}  // namespace

nlohmann::json T5ForConditionalGenerationImpl::config_json() const {
  return head_config_json(config.to_json(), "T5ForConditionalGeneration", shared->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// T5Model, T5EncoderModel (the bases of the classification heads)

T5ModelImpl::T5ModelImpl(const T5Config& c) {
  shared = register_module("shared", nn::Embedding(c.vocab_size, c.d_model));
  encoder = register_module("encoder", T5Stack(c, /*is_decoder=*/false));
  decoder = register_module("decoder", T5Stack(c, /*is_decoder=*/true));
}

std::pair<torch::Tensor, torch::Tensor> T5ModelImpl::forward(const ModelInputs& in, const torch::Tensor& dec_ids,
                                                             const TokenGrid& encoder_grid) {
  torch::Tensor enc = in.encoder_last_hidden_state, enc_tokens;  // (B, T, D); (N, D) padding-free
  TokenGrid grid;                                                // the encoder's (given states are padded)
  if (!enc.defined()) {
    AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
                 "T5: input_ids (batch, seq_len) or encoder_last_hidden_state is required");
    grid = encoder_grid;
    enc_tokens = encoder->forward(shared(grid.gather(in.input_ids)), in.attention_mask, {}, {}, grid);
    enc = grid.scatter(enc_tokens);  // (B, T, D)
  }
  torch::Tensor dec = decoder->forward(shared(dec_ids), in.decoder_attention_mask, grid.active() ? enc_tokens : enc,
                                       in.attention_mask, {}, grid);  // (B, Td, D)
  return {dec, enc};
}

T5EncoderModelImpl::T5EncoderModelImpl(const T5Config& c) {
  shared = register_module("shared", nn::Embedding(c.vocab_size, c.d_model));
  encoder = register_module("encoder", T5Stack(c, /*is_decoder=*/false));
}

torch::Tensor T5EncoderModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                          const TokenGrid& grid) {
  AFINAR_CHECK(input_ids.defined() && input_ids.dim() == 2, "T5EncoderModel: input_ids must be (batch, seq_len)");
  return encoder->forward(shared(grid.gather(input_ids)), attention_mask, {}, {}, grid);  // (B, T, D) or (N, D)
}

// ---------------------------------------------------------------------------------------------
// T5ForSequenceClassification

T5ClassificationHeadImpl::T5ClassificationHeadImpl(const T5Config& c) {
  dense = register_module("dense", nn::Linear(c.d_model, c.d_model));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout));
  out_proj = register_module("out_proj", nn::Linear(c.d_model, c.num_labels()));
}

torch::Tensor T5ClassificationHeadImpl::forward(const torch::Tensor& x) {
  return out_proj(dropout(torch::tanh(dense(dropout(x)))));
}

T5ForSequenceClassificationImpl::T5ForSequenceClassificationImpl(const T5Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", T5Model(c));
  classification_head = register_module("classification_head", T5ClassificationHead(c));
  t5_init_weights(*this, config);
}

ModelOutputs T5ForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "T5ForSequenceClassification", {AFINAR_T5_SEQ2SEQ_INPUTS, "labels"});
  AFINAR_CHECK(in.input_ids.defined(), "T5ForSequenceClassification: input_ids is required (eos pooling)");
  ModelOutputs out;
  torch::Tensor dec_ids = t5_decoder_ids_from_inputs(in, config, "T5ForSequenceClassification");
  std::tie(out.last_hidden_state, out.encoder_last_hidden_state) =
      transformer(in, dec_ids, token_grid(in, GridUse::kEncoder));
  // (B, T, D) → the last <eos> of each row (B, D)
  torch::Tensor pooled =
      last_eos_pool(out.last_hidden_state, in.input_ids, config.eos_id(), "T5ForSequenceClassification");
  out.logits = classification_head(pooled);  // (B, num_labels)
  if (in.labels.defined()) {
    if (config.problem_type.empty()) config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "T5ForSequenceClassification");
  }
  return out;
}

nlohmann::json T5ForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "T5ForSequenceClassification", transformer->shared->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// T5ForTokenClassification

T5ForTokenClassificationImpl::T5ForTokenClassificationImpl(const T5Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", T5EncoderModel(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout));
  classifier = register_module("classifier", nn::Linear(c.d_model, c.num_labels()));
  t5_init_weights(*this, config);
}

ModelOutputs T5ForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "T5ForTokenClassification", {"input_ids", "attention_mask", "labels"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = transformer(in.input_ids, in.attention_mask, grid);  // (B, T, D) or (N, D)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);        // (B, T, D)
  torch::Tensor logits = classifier(dropout(h));  // (B, T, num_labels) or (N, num_labels)
  out.logits = grid.scatter(logits);              // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json T5ForTokenClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "T5ForTokenClassification", transformer->shared->weight.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// T5ForQuestionAnswering

T5ForQuestionAnsweringImpl::T5ForQuestionAnsweringImpl(const T5Config& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.num_labels() == 2, "T5ForQuestionAnswering: num_labels must be 2 (start, end), got ", c.num_labels());
  shared = register_module("shared", nn::Embedding(c.vocab_size, c.d_model));
  encoder = register_module("encoder", T5Stack(c, /*is_decoder=*/false));
  decoder = register_module("decoder", T5Stack(c, /*is_decoder=*/true));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.d_model, c.num_labels()));
  t5_init_weights(*this, config);
}

ModelOutputs T5ForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "T5ForQuestionAnswering", {AFINAR_T5_SEQ2SEQ_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  torch::Tensor dec_ids = t5_decoder_ids_from_inputs(in, config, "T5ForQuestionAnswering");
  out.encoder_last_hidden_state = in.encoder_last_hidden_state;
  if (!out.encoder_last_hidden_state.defined()) {
    AFINAR_CHECK(in.input_ids.defined() && in.input_ids.dim() == 2,
                 "T5ForQuestionAnswering: input_ids (batch, seq_len) or encoder_last_hidden_state is required");
    out.encoder_last_hidden_state = encoder(shared(in.input_ids), in.attention_mask);  // (B, T, D)
  }
  out.last_hidden_state = decoder(shared(dec_ids), in.decoder_attention_mask, out.encoder_last_hidden_state,
                                  in.attention_mask);  // (B, Td, D)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out,
                             "T5ForQuestionAnswering");  // (B, Td, 2) → start/end (B, Td)
  return out;
}

nlohmann::json T5ForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "T5ForQuestionAnswering", shared->weight.scalar_type());
}

}  // namespace afinar
