// GPT-2 as transformers' models/gpt2/modeling_gpt2.py (v5.23): same module names, same math; and
// the causal masks of transformers' masking_utils.py (create_causal_mask without a cache).
#include "afinar/models/gpt2/modeling_gpt2.h"

#include <cmath>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/models/bert/modeling_bert.h"  // bert_activation: transformers' ACT2FN

namespace afinar {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// ---------------------------------------------------------------------------------------------
// Causal attention (masking_utils.py: sdpa_mask, eager_mask; integrations/sdpa_attention.py)

namespace {
double lowest_of(torch::ScalarType dtype) {  // torch.finfo(dtype).min
  switch (dtype) {
    case torch::kFloat:
      return std::numeric_limits<float>::lowest();
    case torch::kDouble:
      return std::numeric_limits<double>::lowest();
    case torch::kHalf:
      return -65504.0;
    case torch::kBFloat16:
      return -3.3895313892515355e38;
    default:
      throw InvalidArgument(detail::concat("attention mask: unsupported hidden dtype ", dtype));
  }
}
}  // namespace

CausalAttentionMask make_causal_attention_mask(const torch::Tensor& attention_mask, int64_t batch, int64_t length,
                                               torch::ScalarType dtype, torch::Device device, bool eager,
                                               std::optional<int64_t> sliding_window) {
  if (attention_mask.defined())
    AFINAR_CHECK(attention_mask.dim() == 2 && attention_mask.size(0) == batch && attention_mask.size(1) == length,
                 "attention_mask must be (batch, seq_len) = (", batch, ", ", length, "), got shape ",
                 attention_mask.sizes());
  const bool padded = attention_mask.defined() && !attention_mask.to(torch::kBool).all().item<bool>();
  // _ignore_causal_mask_sdpa: a window shorter than the keys must be written into the mask.
  const bool window_active = sliding_window && length >= *sliding_window;
  if (!eager && !padded && !window_active) return {torch::Tensor(), true};

  auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  torch::Tensor q = torch::arange(length, opts).view({length, 1});   // (T, 1)
  torch::Tensor kv = torch::arange(length, opts).view({1, length});  // (1, T)
  torch::Tensor allowed = kv <= q;                                   // (T, T) causal
  if (sliding_window) allowed = allowed & (kv > q - *sliding_window);
  allowed = allowed.view({1, 1, length, length});
  if (attention_mask.defined())
    allowed = allowed & attention_mask.to(device).to(torch::kBool).view({batch, 1, 1, length});  // keys
  allowed = allowed.expand({batch, 1, length, length});                                          // (B, 1, T, T)
  if (!eager) return {allowed, false};
  torch::Tensor zero = torch::zeros({}, torch::TensorOptions().dtype(dtype).device(device));
  return {torch::where(allowed, zero, lowest_of(dtype)), false};
}

torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const CausalAttentionMask& mask, double scale, double dropout_p, bool training,
                               bool eager, bool softmax_fp32) {
  const double p = training ? dropout_p : 0.0;
  if (!eager) {
    return at::scaled_dot_product_attention(
        q, k, v, mask.mask.defined() ? std::optional<torch::Tensor>(mask.mask) : std::nullopt, p,
        /*is_causal=*/mask.is_causal && q.size(2) > 1, scale);  // (B, nh, T, hd)
  }
  AFINAR_CHECK(mask.mask.defined(), "causal_attention: the eager path needs a materialised mask");
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) * scale;  // (B, nh, T, T)
  scores = scores + mask.mask;
  torch::Tensor probs = softmax_fp32 ? torch::softmax(scores, -1, torch::kFloat) : torch::softmax(scores, -1);
  probs = torch::dropout(probs.to(v.scalar_type()), p, training);
  return torch::matmul(probs, v);  // (B, nh, T, hd)
}

torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  AFINAR_CHECK(!labels.is_floating_point(), "causal LM labels must be token ids, got ", labels.scalar_type());
  AFINAR_CHECK(
      labels.dim() == 2 && logits.dim() == 3 && labels.size(0) == logits.size(0) && labels.size(1) == logits.size(1),
      "causal LM labels of shape ", labels.sizes(), " do not match logits of shape ", logits.sizes(),
      " (HINT: labels = input_ids with -100 at ignored positions; the shift happens inside)");
  const int64_t V = logits.size(-1);
  // Pad with -100 and drop the first label: position t predicts labels[t + 1].
  torch::Tensor shifted = F::pad(labels.to(torch::kLong), F::PadFuncOptions({0, 1}).value(-100)).slice(1, 1);
  return F::cross_entropy(logits.to(torch::kFloat).reshape({-1, V}), shifted.reshape({-1}),
                          F::CrossEntropyFuncOptions().ignore_index(-100));
}

torch::Tensor pool_last_non_pad_token(const torch::Tensor& logits, const torch::Tensor& input_ids,
                                      std::optional<int64_t> pad_token_id) {
  const int64_t B = logits.size(0), T = logits.size(1);
  if (!pad_token_id) {
    AFINAR_CHECK(B == 1,
                 "Cannot handle batch sizes > 1 if no padding token is defined (HINT: set pad_token_id "
                 "in config.json, e.g. to the eos_token_id, and pad with it)");
    return logits.select(1, T - 1);  // (1, C)
  }
  auto i32 = torch::TensorOptions().dtype(torch::kInt).device(logits.device());
  torch::Tensor non_pad = (input_ids != *pad_token_id).to(i32);            // (B, T)
  torch::Tensor last = (torch::arange(T, i32) * non_pad).argmax(-1);       // (B)
  return logits.index({torch::arange(B, i32.dtype(torch::kLong)), last});  // (B, C)
}

// ---------------------------------------------------------------------------------------------
// Conv1D (pytorch_utils.py), GPT2Attention, GPT2MLP, GPT2Block

Conv1DImpl::Conv1DImpl(int64_t nf, int64_t nx) {
  weight = register_parameter("weight", torch::empty({nx, nf}).normal_(0.0, 0.02));
  bias = register_parameter("bias", torch::zeros({nf}));
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) {
  std::vector<int64_t> out(x.sizes().begin(), x.sizes().end());
  out.back() = weight.size(1);
  return torch::addmm(bias, x.reshape({-1, x.size(-1)}), weight).view(out);
}

GPT2AttentionImpl::GPT2AttentionImpl(const GPT2Config& c, int64_t layer_idx)
    : num_heads(c.n_head),
      head_dim(c.n_embd / c.n_head),
      scaling(1.0),
      attn_dropout_p(c.attn_pdrop),
      eager(c.attn_implementation == "eager"),
      upcast(c.reorder_and_upcast_attn) {
  if (c.scale_attn_weights) scaling = 1.0 / std::sqrt(static_cast<double>(head_dim));
  if (c.scale_attn_by_inverse_layer_idx) scaling /= static_cast<double>(layer_idx + 1);
  c_attn = register_module("c_attn", Conv1D(3 * c.n_embd, c.n_embd));
  c_proj = register_module("c_proj", Conv1D(c.n_embd, c.n_embd));
  resid_dropout = register_module("resid_dropout", nn::Dropout(c.resid_pdrop));
}

torch::Tensor GPT2AttentionImpl::forward(const torch::Tensor& hidden, const CausalAttentionMask& mask) {
  const int64_t B = hidden.size(0), T = hidden.size(1), H = hidden.size(2);
  std::vector<torch::Tensor> qkv = c_attn(hidden).split(H, 2);  // 3 × (B, T, H)
  auto heads = [&](const torch::Tensor& x) { return x.view({B, T, num_heads, head_dim}).transpose(1, 2); };
  torch::Tensor out = causal_attention(heads(qkv[0]), heads(qkv[1]), heads(qkv[2]), mask, scaling, attn_dropout_p,
                                       is_training(), eager, /*softmax_fp32=*/upcast);  // (B, nh, T, hd)
  return resid_dropout(c_proj(out.transpose(1, 2).reshape({B, T, H})));                 // (B, T, H)
}

GPT2MLPImpl::GPT2MLPImpl(const GPT2Config& c) : act(c.activation_function) {
  c_fc = register_module("c_fc", Conv1D(c.inner_dim(), c.n_embd));
  c_proj = register_module("c_proj", Conv1D(c.n_embd, c.inner_dim()));
  dropout = register_module("dropout", nn::Dropout(c.resid_pdrop));
}

torch::Tensor GPT2MLPImpl::forward(const torch::Tensor& hidden) {
  return dropout(c_proj(bert_activation(c_fc(hidden), act)));  // (B, T, H)
}

GPT2BlockImpl::GPT2BlockImpl(const GPT2Config& c, int64_t layer_idx) {
  auto ln = [&] { return nn::LayerNorm(nn::LayerNormOptions({c.n_embd}).eps(c.layer_norm_epsilon)); };
  ln_1 = register_module("ln_1", ln());
  attn = register_module("attn", GPT2Attention(c, layer_idx));
  ln_2 = register_module("ln_2", ln());
  mlp = register_module("mlp", GPT2MLP(c));
}

torch::Tensor GPT2BlockImpl::forward(const torch::Tensor& hidden, const CausalAttentionMask& mask) {
  torch::Tensor x = attn(ln_1(hidden), mask) + hidden;  // (B, T, H)
  return mlp(ln_2(x)) + x;
}

// ---------------------------------------------------------------------------------------------
// GPT2Model

GPT2ModelImpl::GPT2ModelImpl(const GPT2Config& c) : config(c) {
  config.validate();
  wte = register_module("wte", nn::Embedding(c.vocab_size, c.n_embd));
  wpe = register_module("wpe", nn::Embedding(c.n_positions, c.n_embd));
  drop = register_module("drop", nn::Dropout(c.embd_pdrop));
  h = register_module("h", nn::ModuleList());
  for (int64_t i = 0; i < c.n_layer; ++i) h->push_back(GPT2Block(c, i));
  ln_f = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({c.n_embd}).eps(c.layer_norm_epsilon)));
}

torch::Tensor GPT2ModelImpl::forward(const ModelInputs& in) {
  AFINAR_CHECK(in.input_ids.defined(), "GPT2Model: input_ids is required");
  AFINAR_CHECK(in.input_ids.dim() == 2, "GPT2Model: input_ids must be (batch, seq_len), got shape ",
               in.input_ids.sizes());
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  torch::Tensor position_ids = in.position_ids;
  if (!position_ids.defined()) {
    AFINAR_CHECK(T <= config.n_positions, "GPT2Model: sequence length ", T, " exceeds n_positions ", config.n_positions,
                 " (HINT: truncate the inputs to ", config.n_positions, " tokens)");
    position_ids = torch::arange(T, in.input_ids.options()).unsqueeze(0);  // (1, T)
  }
  torch::Tensor x = wte(in.input_ids) + wpe(position_ids);  // (B, T, H)
  CausalAttentionMask mask = make_causal_attention_mask(in.attention_mask, B, T, x.scalar_type(), x.device(),
                                                        config.attn_implementation == "eager");
  if (in.token_type_ids.defined()) x = x + wte(in.token_type_ids);  // as transformers: types share wte
  x = drop(x);
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *h) {
    auto block = std::dynamic_pointer_cast<GPT2BlockImpl>(m);
    if (!ckpt) {
      x = block->forward(x, mask);  // (B, T, H)
      continue;
    }
    x = checkpoint(
        [block, mask](const std::vector<torch::Tensor>& in) {
          return std::vector<torch::Tensor>{block->forward(in[0], mask)};
        },
        {x})[0];  // the mask needs no gradient: captured
  }
  return ln_f(x);  // (B, T, H)
}

// ---------------------------------------------------------------------------------------------
// Weight init (GPT2PreTrainedModel._init_weights)

void gpt2_init_weights(nn::Module& module, const GPT2Config& c, const std::vector<std::string>* only) {
  torch::NoGradGuard no_grad;
  auto wanted = [&](const std::string& name) {
    return !only || std::find(only->begin(), only->end(), name) != only->end();
  };
  auto join = [](const std::string& prefix, const char* leaf) {
    return prefix.empty() ? std::string(leaf) : prefix + "." + leaf;
  };
  auto ends_with = [](const std::string& s, const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  const double residual_std = c.initializer_range / std::sqrt(2.0 * static_cast<double>(c.n_layer));
  std::vector<std::pair<std::string, nn::Module*>> modules = {{"", &module}};
  for (const auto& item : module.named_modules("", /*include_self=*/false))
    modules.emplace_back(item.key(), item.value().get());
  for (const auto& [prefix, m] : modules) {
    if (auto* conv = dynamic_cast<Conv1DImpl*>(m)) {
      // The residual projections (attn.c_proj, mlp.c_proj) are scaled by 1/√(2·n_layer).
      const bool residual = ends_with(prefix, "attn.c_proj") || ends_with(prefix, "mlp.c_proj");
      if (wanted(join(prefix, "weight"))) conv->weight.normal_(0.0, residual ? residual_std : c.initializer_range);
      if (wanted(join(prefix, "bias"))) conv->bias.zero_();
    } else if (auto* lin = dynamic_cast<nn::LinearImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) lin->weight.normal_(0.0, c.initializer_range);
      if (lin->bias.defined() && wanted(join(prefix, "bias"))) lin->bias.zero_();
    } else if (auto* emb = dynamic_cast<nn::EmbeddingImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) emb->weight.normal_(0.0, c.initializer_range);
    } else if (auto* ln = dynamic_cast<nn::LayerNormImpl*>(m)) {
      if (wanted(join(prefix, "weight"))) ln->weight.fill_(1.0);
      if (wanted(join(prefix, "bias"))) ln->bias.zero_();
    }
  }
}

nlohmann::json gpt2_config_json(const GPT2Config& config, const char* arch, torch::ScalarType dtype) {
  nlohmann::json j = config.to_json();
  j["architectures"] = {arch};
  j.erase("torch_dtype");  // transformers ≥ 4.56 writes "dtype"
  j["dtype"] = torch_dtype_name(dtype);
  j["transformers_version"] = kTransformersVersion;
  return j;
}

// ---------------------------------------------------------------------------------------------
// Heads

GPT2LMHeadModelImpl::GPT2LMHeadModelImpl(const GPT2Config& c) : config(c) {
  config.validate();
  AFINAR_CHECK(c.tie_word_embeddings,
               "GPT2LMHeadModel: tie_word_embeddings = false (an untied lm_head) is not "
               "supported");
  transformer = register_module("transformer", GPT2Model(c));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2LMHeadModelImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = transformer(in);  // (B, T, H)
  // lm_head: the tied embedding matrix, read at each call (loading, .to() and updates are seen).
  out.logits = F::linear(out.last_hidden_state, transformer->wte->weight);  // (B, T, V)
  if (in.labels.defined()) out.loss = causal_lm_loss(out.logits, in.labels);
  return out;
}

nlohmann::json GPT2LMHeadModelImpl::config_json() const {
  return gpt2_config_json(config, "GPT2LMHeadModel", transformer->wte->weight.scalar_type());
}

GPT2ForSequenceClassificationImpl::GPT2ForSequenceClassificationImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  score = register_module("score", nn::Linear(nn::LinearOptions(c.n_embd, c.num_labels()).bias(false)));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForSequenceClassificationImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = transformer(in);                                                                // (B, T, H)
  out.logits = pool_last_non_pad_token(score(out.last_hidden_state), in.input_ids, config.pad_token_id);  // (B, C)
  if (in.labels.defined()) {
    if (config.problem_type.empty()) config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type);
  }
  return out;
}

nlohmann::json GPT2ForSequenceClassificationImpl::config_json() const {
  return gpt2_config_json(config, "GPT2ForSequenceClassification", score->weight.scalar_type());
}

GPT2ForTokenClassificationImpl::GPT2ForTokenClassificationImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(0.1)));
  classifier = register_module("classifier", nn::Linear(c.n_embd, c.num_labels()));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForTokenClassificationImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = transformer(in);                  // (B, T, H)
  out.logits = classifier(dropout(out.last_hidden_state));  // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_classification_loss(out.logits, in.labels);
  return out;
}

nlohmann::json GPT2ForTokenClassificationImpl::config_json() const {
  return gpt2_config_json(config, "GPT2ForTokenClassification", classifier->weight.scalar_type());
}

GPT2ForQuestionAnsweringImpl::GPT2ForQuestionAnsweringImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.n_embd, 2));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  ModelOutputs out;
  out.last_hidden_state = transformer(in);                                         // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out);          // (B, T, 2) → start/end (B, T)
  return out;
}

nlohmann::json GPT2ForQuestionAnsweringImpl::config_json() const {
  return gpt2_config_json(config, "GPT2ForQuestionAnswering", qa_outputs->weight.scalar_type());
}

}  // namespace afinar
