// The Llama family as transformers' models/llama/modeling_llama.py (v5.23), with the config-field
// differences of modeling_qwen2.py (q/k/v biases, per-layer sliding windows) and
// modeling_mistral.py (a sliding window on every layer); RoPE as modeling_rope_utils.py.
#include "afinar/models/llama/modeling_llama.h"

#include <cmath>

#include "afinar/core/check.h"
#include "afinar/nn/activations.h"
#include "afinar/nn/init.h"
#include "afinar/nn/losses.h"
#include "afinar/nn/masks.h"
#include "afinar/nn/pooling.h"

namespace afinar {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// ---------------------------------------------------------------------------------------------
// LlamaRMSNorm

LlamaRMSNormImpl::LlamaRMSNormImpl(int64_t hidden_size, double eps) : variance_epsilon(eps) {
  weight = register_parameter("weight", torch::ones({hidden_size}));
}

torch::Tensor LlamaRMSNormImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x.to(torch::kFloat);
  torch::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
  h = h * torch::rsqrt(variance + variance_epsilon);
  return weight * h.to(x.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// Rotary embeddings (modeling_rope_utils.py). The float32 tensor arithmetic follows transformers'
// operation by operation, so that the frequencies are bitwise the same.

torch::Tensor llama_rope_inv_freq(const LlamaConfig& c, int64_t seq_len) {
  const nlohmann::json& rope = c.rope_parameters;
  const std::string type = c.rope_type();
  const double base = rope.value("rope_theta", 10000.0);
  const int64_t dim = c.head_dim;
  torch::Tensor exponent = torch::arange(0, dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(dim);
  auto inverse_powers = [&](const torch::Scalar& b) { return torch::pow(b, exponent).reciprocal(); };
  if (type == "default") return inverse_powers(base);
  const double factor = rope.at("factor").get<double>();
  if (type == "linear") return inverse_powers(base) / factor;
  if (type == "dynamic") {
    const double max_pos = static_cast<double>(c.max_position_embeddings);
    const double power = static_cast<double>(dim) / static_cast<double>(dim - 2);
    if (seq_len <= c.max_position_embeddings)  // at init: base unchanged
      return inverse_powers(base * std::pow(factor * max_pos / max_pos - (factor - 1), power));
    // In transformers seq_len is a tensor here, so the new base is computed in float32.
    torch::Tensor len = torch::tensor(seq_len, torch::kLong);
    torch::Tensor scaled = torch::pow(len * factor / max_pos - (factor - 1), power) * base;  // 0-dim float32
    return torch::pow(scaled, exponent).reciprocal();
  }
  if (type == "llama3") {
    const double low = rope.at("low_freq_factor").get<double>(), high = rope.at("high_freq_factor").get<double>();
    const double old_len = rope.at("original_max_position_embeddings").get<double>();
    const double low_wavelen = old_len / low, high_wavelen = old_len / high;
    torch::Tensor inv = inverse_powers(base);
    torch::Tensor wavelen = inv.reciprocal() * (2 * M_PI);
    torch::Tensor scaled = torch::where(wavelen > low_wavelen, inv / factor, inv);
    torch::Tensor smooth = (wavelen.reciprocal() * old_len - low) / (high - low);
    torch::Tensor smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
    torch::Tensor medium = (wavelen < high_wavelen).logical_not() & (wavelen > low_wavelen).logical_not();
    return torch::where(medium, smoothed, scaled);
  }
  AFINAR_NOT_IMPLEMENTED("rope_type ", type, " (supported: default, linear, dynamic, llama3)");
}

LlamaRotaryEmbeddingImpl::LlamaRotaryEmbeddingImpl(const LlamaConfig& c)
    : config(c), max_seq_len_cached(c.max_position_embeddings) {
  inv_freq = register_buffer("inv_freq", llama_rope_inv_freq(c, 0));
}

std::pair<torch::Tensor, torch::Tensor> LlamaRotaryEmbeddingImpl::forward(const torch::Tensor& x,
                                                                          const torch::Tensor& position_ids) {
  torch::NoGradGuard no_grad;
  if (config.rope_type() == "dynamic") {  // dynamic_rope_update: grow past the longest seen, reset under the original
    const int64_t seq_len = position_ids.max().item<int64_t>() + 1;
    const int64_t original = config.max_position_embeddings;
    if (seq_len > max_seq_len_cached) {
      inv_freq.set_data(llama_rope_inv_freq(config, seq_len).to(inv_freq.device()));
      max_seq_len_cached = seq_len;
    }
    if (seq_len < original && max_seq_len_cached > original) {
      inv_freq.set_data(llama_rope_inv_freq(config, 0).to(inv_freq.device()));
      max_seq_len_cached = original;
    }
  }
  torch::Tensor freqs = position_ids.unsqueeze(-1).to(torch::kFloat) * inv_freq.to(torch::kFloat);  // (B, T, hd/2)
  torch::Tensor emb = torch::cat({freqs, freqs}, -1);                                               // (B, T, hd)
  return {emb.cos().to(x.scalar_type()), emb.sin().to(x.scalar_type())};
}

namespace {
torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

/// (B, kv, T, hd) → (B, kv · n_rep, T, hd), each key/value head repeated for its query heads.
torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  if (n_rep == 1) return x;
  const int64_t B = x.size(0), kv = x.size(1), T = x.size(2), hd = x.size(3);
  return x.unsqueeze(2).expand({B, kv, n_rep, T, hd}).reshape({B, kv * n_rep, T, hd});
}
}  // namespace

std::pair<torch::Tensor, torch::Tensor> apply_rotary_pos_emb(const torch::Tensor& q, const torch::Tensor& k,
                                                             const torch::Tensor& cos, const torch::Tensor& sin) {
  torch::Tensor c = cos.unsqueeze(1), s = sin.unsqueeze(1);  // (B, 1, T, hd)
  return {q * c + rotate_half(q) * s, k * c + rotate_half(k) * s};
}

// ---------------------------------------------------------------------------------------------
// LlamaMLP, LlamaAttention, LlamaDecoderLayer

LlamaMLPImpl::LlamaMLPImpl(const LlamaConfig& c) : act(c.hidden_act) {
  auto lin = [&](int64_t in, int64_t out) { return nn::Linear(nn::LinearOptions(in, out).bias(c.mlp_bias)); };
  gate_proj = register_module("gate_proj", lin(c.hidden_size, c.intermediate_size));
  up_proj = register_module("up_proj", lin(c.hidden_size, c.intermediate_size));
  down_proj = register_module("down_proj", lin(c.intermediate_size, c.hidden_size));
}

torch::Tensor LlamaMLPImpl::forward(const torch::Tensor& x) {
  return down_proj(apply_activation(gate_proj(x), act) * up_proj(x));  // (B, T, H)
}

LlamaAttentionImpl::LlamaAttentionImpl(const LlamaConfig& c)
    : num_heads(c.num_attention_heads),
      num_kv_heads(c.num_key_value_heads),
      head_dim(c.head_dim),
      scaling(1.0 / std::sqrt(static_cast<double>(c.head_dim))),
      dropout_p(c.attention_dropout),
      eager(c.attn_implementation == "eager") {
  auto lin = [](int64_t in, int64_t out, bool bias) { return nn::Linear(nn::LinearOptions(in, out).bias(bias)); };
  q_proj = register_module("q_proj", lin(c.hidden_size, num_heads * head_dim, c.qkv_bias()));
  k_proj = register_module("k_proj", lin(c.hidden_size, num_kv_heads * head_dim, c.qkv_bias()));
  v_proj = register_module("v_proj", lin(c.hidden_size, num_kv_heads * head_dim, c.qkv_bias()));
  o_proj = register_module("o_proj", lin(num_heads * head_dim, c.hidden_size, c.o_proj_bias()));
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& cos,
                                          const torch::Tensor& sin, const AttentionMask& mask, const TokenGrid& grid) {
  torch::Tensor q = q_proj(hidden), k = k_proj(hidden), v = v_proj(hidden);  // (B, T, h·hd) or (N, h·hd)
  if (grid.active()) {
    // Padding-free: RoPE on the N real tokens (cos/sin (N, hd)), then the rows (R, L, h·hd).
    const int64_t N = hidden.size(0);
    torch::Tensor qt = q.view({N, -1, head_dim}), kt = k.view({N, -1, head_dim});  // (N, h, hd)
    std::tie(qt, kt) = apply_rotary_pos_emb(qt, kt, cos, sin);
    q = grid.to_rows(qt.reshape({N, -1}));
    k = grid.to_rows(kt.reshape({N, -1}));
    v = grid.to_rows(v);
  }
  const int64_t B = q.size(0), T = q.size(1);
  auto heads = [&](const torch::Tensor& x) { return x.view({B, T, -1, head_dim}).transpose(1, 2); };
  q = heads(q), k = heads(k), v = heads(v);  // (B, h, T, hd)
  if (!grid.active()) std::tie(q, k) = apply_rotary_pos_emb(q, k, cos, sin);
  const int64_t groups = num_heads / num_kv_heads;
  torch::Tensor out = dot_product_attention(q, repeat_kv(k, groups), repeat_kv(v, groups), mask, scaling, dropout_p,
                                            is_training(), eager, /*softmax_fp32=*/true);    // (B, nh, T, hd)
  return o_proj(grid.from_rows(out.transpose(1, 2).reshape({B, T, num_heads * head_dim})));  // (B, T, H) or (N, H)
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const LlamaConfig& c) {
  self_attn = register_module("self_attn", LlamaAttention(c));
  mlp = register_module("mlp", LlamaMLP(c));
  input_layernorm = register_module("input_layernorm", LlamaRMSNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", LlamaRMSNorm(c.hidden_size, c.rms_norm_eps));
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& cos,
                                             const torch::Tensor& sin, const AttentionMask& mask,
                                             const TokenGrid& grid) {
  torch::Tensor x = hidden + self_attn(input_layernorm(hidden), cos, sin, mask, grid);  // (B, T, H) or (N, H)
  return x + mlp(post_attention_layernorm(x));
}

// ---------------------------------------------------------------------------------------------
// LlamaModel

LlamaModelImpl::LlamaModelImpl(const LlamaConfig& c) : config(c) {
  config.validate();
  auto emb = nn::EmbeddingOptions(c.vocab_size, c.hidden_size);
  if (c.pad_token_id) emb.padding_idx(*c.pad_token_id);  // no gradient flows into the padding row
  embed_tokens = register_module("embed_tokens", nn::Embedding(emb));
  layers = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(LlamaDecoderLayer(c));
  norm = register_module("norm", LlamaRMSNorm(c.hidden_size, c.rms_norm_eps));
  rotary_emb = register_module("rotary_emb", LlamaRotaryEmbedding(c));
}

torch::Tensor LlamaModelImpl::forward(const ModelInputs& in, const TokenGrid& grid) {
  AFINAR_CHECK(in.input_ids.defined(), "LlamaModel: input_ids is required");
  AFINAR_CHECK(in.input_ids.dim() == 2, "LlamaModel: input_ids must be (batch, seq_len), got shape ",
               in.input_ids.sizes());
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  torch::Tensor x = embed_tokens(grid.gather(in.input_ids));  // (B, T, H) or, padding-free, (N, H)
  torch::Tensor position_ids = in.position_ids, seq;          // seq: (B, T) sequence ids of packed rows
  if (in.cu_seq_lens.defined() || in.seq_idx.defined()) {
    seq = packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T);
    if (!position_ids.defined()) position_ids = packed_position_ids(seq);  // restart per sequence
  }
  if (!position_ids.defined()) position_ids = torch::arange(T, in.input_ids.options()).unsqueeze(0);  // (1, T)
  const bool eager = config.attn_implementation == "eager";
  auto causal = [&](std::optional<int64_t> window) {
    if (grid.active())  // the grid's rows: the padded batch's, or one per packed sequence
      return make_causal_attention_mask(grid.rows_attention_mask(), grid.rows(), grid.width(), x.scalar_type(),
                                        x.device(), eager, window);
    return seq.defined()
               ? block_diagonal_mask(seq, /*causal=*/true, x.scalar_type(), eager, window, in.attention_mask)
               : make_causal_attention_mask(in.attention_mask, B, T, x.scalar_type(), x.device(), eager, window);
  };
  AttentionMask full, sliding;
  bool any_full = false, any_sliding = false;
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) (config.layer_is_sliding(i) ? any_sliding : any_full) = true;
  if (any_full) full = causal(std::nullopt);
  if (any_sliding) sliding = causal(config.sliding_window);
  // Computed over the input's positions (dynamic RoPE looks at their maximum), then the real tokens'.
  auto [cos, sin] = rotary_emb->forward(x, position_ids);  // (B or 1, T, hd)
  cos = grid.gather(cos), sin = grid.gather(sin);          // padding-free: (N, hd)
  const bool ckpt = checkpointing_active(*this);
  int64_t i = 0;
  for (const auto& m : *layers) {
    auto layer = std::dynamic_pointer_cast<LlamaDecoderLayerImpl>(m);
    const AttentionMask& mask = config.layer_is_sliding(i++) ? sliding : full;
    if (!ckpt) {
      x = layer->forward(x, cos, sin, mask, grid);  // (B, T, H) or (N, H)
      continue;
    }
    // cos/sin come from the inv_freq buffer, the mask from attention_mask: no gradient, captured.
    x = checkpoint(
        [layer, cos, sin, mask, grid](const std::vector<torch::Tensor>& in) {
          return std::vector<torch::Tensor>{layer->forward(in[0], cos, sin, mask, grid)};
        },
        {x})[0];
  }
  return norm(x);  // (B, T, H) or (N, H)
}

// ---------------------------------------------------------------------------------------------
// Weight init (PreTrainedModel._init_weights)

void llama_init_weights(nn::Module& module, const LlamaConfig& c, const std::vector<std::string>* only) {
  init_weights(module, c.initializer_range, only,
               [](const std::string& prefix, nn::Module& m, const InitScope& wanted) {
                 auto* rms = dynamic_cast<LlamaRMSNormImpl*>(&m);
                 if (rms && wanted(join_name(prefix, "weight"))) rms->weight.fill_(1.0);
                 return rms != nullptr;
               });
}

std::string llama_architecture(const LlamaConfig& c, const char* head) {
  std::string family = c.model_type == "qwen2" ? "Qwen2" : c.model_type == "mistral" ? "Mistral" : "Llama";
  return family + head;
}

// ---------------------------------------------------------------------------------------------
// Heads

LlamaPreTrainedModelImpl::LlamaPreTrainedModelImpl(const LlamaConfig& c, std::string head_, std::string base)
    : config(c),
      head(std::move(head_)),
      base_name(std::move(base)),
      architecture_(llama_architecture(c, head.c_str())) {
  config.validate();
  model = register_module(base_name, LlamaModel(c));
}

nlohmann::json LlamaPreTrainedModelImpl::config_json() const {
  return head_config_json(config.to_json(), architecture_, model->embed_tokens->weight.scalar_type());
}

namespace {
// The inputs each head takes (check_inputs); the token-level heads also take packed rows.
#define AFINAR_LLAMA_INPUTS "input_ids", "attention_mask", "position_ids"
}  // namespace

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const LlamaConfig& c) : LlamaPreTrainedModelImpl(c, "ForCausalLM") {
  if (!c.tie_word_embeddings)
    lm_head = register_module("lm_head", nn::Linear(nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
  llama_init_weights(*this, config);
}

ModelOutputs LlamaForCausalLMImpl::forward(const ModelInputs& in) {
  check_inputs(in, architecture(), {AFINAR_LLAMA_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = model(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, H)
  // Tied: the embedding matrix, read at each call (loading, .to() and updates are seen).
  torch::Tensor logits = lm_head ? lm_head(h) : F::linear(h, model->embed_tokens->weight);  // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                                        // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);                  // shifted: shifts_labels()
  return out;
}

LlamaForSequenceClassificationImpl::LlamaForSequenceClassificationImpl(const LlamaConfig& c)
    : LlamaPreTrainedModelImpl(c, "ForSequenceClassification") {
  score = register_module("score", nn::Linear(nn::LinearOptions(c.hidden_size, c.num_labels()).bias(false)));
  llama_init_weights(*this, config);
}

ModelOutputs LlamaForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, architecture(), {AFINAR_LLAMA_INPUTS, "labels"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = model(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, H)
  // The pooled position holds a real token (pool_last_non_pad_token refuses padding it would pool).
  out.logits = pool_last_non_pad_token(grid.scatter(score(h)), in.input_ids, in.attention_mask, config.pad_token_id,
                                       architecture());  // (B, C)
  if (in.labels.defined()) {
    if (config.problem_type.empty()) config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs, architecture());
  }
  return out;
}

LlamaForTokenClassificationImpl::LlamaForTokenClassificationImpl(const LlamaConfig& c)
    : LlamaPreTrainedModelImpl(c, "ForTokenClassification") {
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(0.1)));
  const bool bias = c.extra.value("token_classification_bias", true);
  score = register_module("score", nn::Linear(nn::LinearOptions(c.hidden_size, c.num_labels()).bias(bias)));
  llama_init_weights(*this, config);
}

ModelOutputs LlamaForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, architecture(), {AFINAR_LLAMA_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = model(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);   // (B, T, H)
  torch::Tensor logits = score(dropout(h));  // (B, T, num_labels) or (N, num_labels)
  out.logits = grid.scatter(logits);         // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

LlamaForQuestionAnsweringImpl::LlamaForQuestionAnsweringImpl(const LlamaConfig& c)
    : LlamaPreTrainedModelImpl(c, "ForQuestionAnswering", c.model_type == "mistral" ? "model" : "transformer") {
  qa_outputs = register_module("qa_outputs", nn::Linear(c.hidden_size, 2));
  llama_init_weights(*this, config);
}

ModelOutputs LlamaForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, architecture(), {AFINAR_LLAMA_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  out.last_hidden_state = model(in);  // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out,
                             architecture());  // (B, T, 2) → start/end (B, T)
  return out;
}

}  // namespace afinar
