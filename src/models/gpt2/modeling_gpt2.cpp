// GPT-2 as transformers' models/gpt2/modeling_gpt2.py (v5.23): same module names, same math.
#include "afinar/models/gpt2/modeling_gpt2.h"

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

torch::Tensor GPT2AttentionImpl::forward(const torch::Tensor& hidden, const AttentionMask& mask,
                                         const TokenGrid& grid) {
  // Padding-free: c_attn ran on the N real tokens; attention sees them as rows (R, L, 3H).
  torch::Tensor rows = grid.to_rows(c_attn(hidden));  // (B, T, 3H)
  const int64_t B = rows.size(0), T = rows.size(1), H = hidden.size(-1);
  std::vector<torch::Tensor> qkv = rows.split(H, 2);  // 3 × (B, T, H)
  auto heads = [&](const torch::Tensor& x) { return x.view({B, T, num_heads, head_dim}).transpose(1, 2); };
  torch::Tensor out = dot_product_attention(heads(qkv[0]), heads(qkv[1]), heads(qkv[2]), mask, scaling, attn_dropout_p,
                                            is_training(), eager, /*softmax_fp32=*/upcast);  // (B, nh, T, hd)
  return resid_dropout(c_proj(grid.from_rows(out.transpose(1, 2).reshape({B, T, H}))));      // (B, T, H) or (N, H)
}

GPT2MLPImpl::GPT2MLPImpl(const GPT2Config& c) : act(c.activation_function) {
  c_fc = register_module("c_fc", Conv1D(c.inner_dim(), c.n_embd));
  c_proj = register_module("c_proj", Conv1D(c.n_embd, c.inner_dim()));
  dropout = register_module("dropout", nn::Dropout(c.resid_pdrop));
}

torch::Tensor GPT2MLPImpl::forward(const torch::Tensor& hidden) {
  return dropout(c_proj(apply_activation(c_fc(hidden), act)));  // (B, T, H)
}

GPT2BlockImpl::GPT2BlockImpl(const GPT2Config& c, int64_t layer_idx) {
  auto ln = [&] { return nn::LayerNorm(nn::LayerNormOptions({c.n_embd}).eps(c.layer_norm_epsilon)); };
  ln_1 = register_module("ln_1", ln());
  attn = register_module("attn", GPT2Attention(c, layer_idx));
  ln_2 = register_module("ln_2", ln());
  mlp = register_module("mlp", GPT2MLP(c));
}

torch::Tensor GPT2BlockImpl::forward(const torch::Tensor& hidden, const AttentionMask& mask, const TokenGrid& grid) {
  torch::Tensor x = attn(ln_1(hidden), mask, grid) + hidden;  // (B, T, H) or (N, H)
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

torch::Tensor GPT2ModelImpl::forward(const ModelInputs& in, const TokenGrid& grid) {
  AFINAR_CHECK(in.input_ids.defined(), "GPT2Model: input_ids is required");
  AFINAR_CHECK(in.input_ids.dim() == 2, "GPT2Model: input_ids must be (batch, seq_len), got shape ",
               in.input_ids.sizes());
  const int64_t B = in.input_ids.size(0), T = in.input_ids.size(1);
  const bool eager = config.attn_implementation == "eager";
  torch::Tensor position_ids = in.position_ids, seq;  // seq: (B, T) sequence ids of packed rows
  if (in.cu_seq_lens.defined() || in.seq_idx.defined()) {
    seq = packed_sequence_ids(in.cu_seq_lens, in.seq_idx, B, T);
    if (!position_ids.defined()) position_ids = packed_position_ids(seq);  // restart per sequence
  }
  if (!position_ids.defined()) {
    AFINAR_CHECK(T <= config.n_positions, "GPT2Model: sequence length ", T, " exceeds n_positions ", config.n_positions,
                 " (HINT: truncate the inputs to ", config.n_positions, " tokens)");
    position_ids = torch::arange(T, in.input_ids.options()).unsqueeze(0);  // (1, T)
  }
  // Padding-free: the real tokens only, (N); positions and types follow their tokens.
  torch::Tensor x = wte(grid.gather(in.input_ids)) + wpe(grid.gather(position_ids));  // (B, T, H) or (N, H)
  AttentionMask mask;
  if (grid.active())  // the grid's rows: the padded batch's, or one per packed sequence
    mask = make_causal_attention_mask(grid.rows_attention_mask(), grid.rows(), grid.width(), x.scalar_type(),
                                      x.device(), eager);
  else if (seq.defined())
    mask = block_diagonal_mask(seq, /*causal=*/true, x.scalar_type(), eager, std::nullopt, in.attention_mask);
  else
    mask = make_causal_attention_mask(in.attention_mask, B, T, x.scalar_type(), x.device(), eager);
  if (in.token_type_ids.defined()) x = x + wte(grid.gather(in.token_type_ids));  // as transformers: types share wte
  x = drop(x);
  const bool ckpt = checkpointing_active(*this);
  for (const auto& m : *h) {
    auto block = std::dynamic_pointer_cast<GPT2BlockImpl>(m);
    if (!ckpt) {
      x = block->forward(x, mask, grid);  // (B, T, H) or (N, H)
      continue;
    }
    x = checkpoint(
        [block, mask, grid](const std::vector<torch::Tensor>& in) {
          return std::vector<torch::Tensor>{block->forward(in[0], mask, grid)};
        },
        {x})[0];  // the mask and the grid need no gradient: captured
  }
  return ln_f(x);  // (B, T, H) or (N, H)
}

// ---------------------------------------------------------------------------------------------
// Weight init (GPT2PreTrainedModel._init_weights)

void gpt2_init_weights(nn::Module& module, const GPT2Config& c, const std::vector<std::string>* only) {
  const double residual_std = c.initializer_range / std::sqrt(2.0 * static_cast<double>(c.n_layer));
  auto ends_with = [](const std::string& s, const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  init_weights(module, c.initializer_range, only,
               [&](const std::string& prefix, nn::Module& m, const InitScope& wanted) {
                 auto* conv = dynamic_cast<Conv1DImpl*>(&m);
                 if (!conv) return false;
                 // The residual projections (attn.c_proj, mlp.c_proj) are scaled by 1/√(2·n_layer).
                 const bool residual = ends_with(prefix, "attn.c_proj") || ends_with(prefix, "mlp.c_proj");
                 if (wanted(join_name(prefix, "weight")))
                   conv->weight.normal_(0.0, residual ? residual_std : c.initializer_range);
                 if (wanted(join_name(prefix, "bias"))) conv->bias.zero_();
                 return true;
               });
}

PreTrainedModelImpl::ParameterLayout gpt2_parameter_layout() {
  return {{"transformer.wte.", "transformer.wpe."}, {"transformer.h."}};
}

namespace {
// The inputs each head takes (check_inputs); the token-level heads also take packed rows.
#define AFINAR_GPT2_INPUTS "input_ids", "attention_mask", "token_type_ids", "position_ids"
}  // namespace

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
  check_inputs(in, "GPT2LMHeadModel", {AFINAR_GPT2_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = transformer(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, H)
  // lm_head: the tied embedding matrix, read at each call (loading, .to() and updates are seen).
  torch::Tensor logits = F::linear(h, transformer->wte->weight);            // (B, T, V) or (N, V)
  out.logits = grid.scatter(logits);                                        // (B, T, V)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);  // shifted: shifts_labels()
  return out;
}

nlohmann::json GPT2LMHeadModelImpl::config_json() const {
  return head_config_json(config.to_json(), "GPT2LMHeadModel", transformer->wte->weight.scalar_type());
}

GPT2ForSequenceClassificationImpl::GPT2ForSequenceClassificationImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  score = register_module("score", nn::Linear(nn::LinearOptions(c.n_embd, c.num_labels()).bias(false)));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForSequenceClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "GPT2ForSequenceClassification", {AFINAR_GPT2_INPUTS, "labels"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = transformer(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);  // (B, T, H)
  // The pooled position holds a real token (pool_last_non_pad_token refuses padding it would pool).
  out.logits = pool_last_non_pad_token(grid.scatter(score(h)), in.input_ids, in.attention_mask, config.pad_token_id,
                                       "GPT2ForSequenceClassification");  // (B, C)
  if (in.labels.defined()) {
    if (config.problem_type.empty()) config.problem_type = infer_problem_type(config.num_labels(), in.labels);
    out.loss = sequence_classification_loss(out.logits, in.labels, config.problem_type, in.loss_kwargs,
                                            "GPT2ForSequenceClassification");
  }
  return out;
}

nlohmann::json GPT2ForSequenceClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "GPT2ForSequenceClassification", score->weight.scalar_type());
}

GPT2ForTokenClassificationImpl::GPT2ForTokenClassificationImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(0.1)));
  classifier = register_module("classifier", nn::Linear(c.n_embd, c.num_labels()));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForTokenClassificationImpl::forward(const ModelInputs& in) {
  check_inputs(in, "GPT2ForTokenClassification", {AFINAR_GPT2_INPUTS, "labels", "cu_seq_lens"});
  const TokenGrid grid = token_grid(in);
  torch::Tensor h = transformer(in, grid);  // (B, T, H) or (N, H)
  ModelOutputs out;
  out.last_hidden_state = grid.scatter(h);        // (B, T, H)
  torch::Tensor logits = classifier(dropout(h));  // (B, T, num_labels) or (N, num_labels)
  out.logits = grid.scatter(logits);              // (B, T, num_labels)
  if (in.labels.defined()) out.loss = token_labels_loss(logits, in, grid);
  return out;
}

nlohmann::json GPT2ForTokenClassificationImpl::config_json() const {
  return head_config_json(config.to_json(), "GPT2ForTokenClassification", classifier->weight.scalar_type());
}

GPT2ForQuestionAnsweringImpl::GPT2ForQuestionAnsweringImpl(const GPT2Config& c) : config(c) {
  config.validate();
  transformer = register_module("transformer", GPT2Model(c));
  qa_outputs = register_module("qa_outputs", nn::Linear(c.n_embd, 2));
  gpt2_init_weights(*this, config);
}

ModelOutputs GPT2ForQuestionAnsweringImpl::forward(const ModelInputs& in) {
  check_inputs(in, "GPT2ForQuestionAnswering", {AFINAR_GPT2_INPUTS, "start_positions", "end_positions"});
  ModelOutputs out;
  // Padded, as transformers: the start/end softmax runs over every position, padding included.
  out.last_hidden_state = transformer(in);  // (B, T, H)
  question_answering_outputs(qa_outputs(out.last_hidden_state), in, out,
                             "GPT2ForQuestionAnswering");  // (B, T, 2) → start/end (B, T)
  return out;
}

nlohmann::json GPT2ForQuestionAnsweringImpl::config_json() const {
  return head_config_json(config.to_json(), "GPT2ForQuestionAnswering", qa_outputs->weight.scalar_type());
}

}  // namespace afinar
