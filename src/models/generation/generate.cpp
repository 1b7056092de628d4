// generate(): transformers 5.23's GenerationMixin.generate with _sample (greedy) and _beam_search,
// the logits processors a generation config turns on (no_repeat_ngram, min_length, min_new_tokens,
// forced_bos, forced_eos) and the max-length / eos stopping criteria. No KV cache: each step runs
// the model over the whole prefix.
#include <algorithm>
#include <cmath>
#include <limits>

#include "afinar/core/check.h"
#include "afinar/models/generation.h"

namespace afinar {

namespace {

using EarlyStopping = GenerationConfig::EarlyStopping;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// The resolved settings of one generate() call (transformers' prepared generation_config).
struct Plan {
  std::vector<int64_t> eos;
  std::optional<int64_t> pad;  ///< generation_config._pad_token_tensor: pad_token_id, else eos[0]
  int64_t prompt_len = 0;      ///< input_ids_length: the decoder prompt
  int64_t max_length = 0;
  int64_t min_length = 0;
  const GenerationConfig* cfg = nullptr;
};

torch::Tensor ids_tensor(const std::vector<int64_t>& ids, const torch::Device& device) {
  return torch::tensor(ids, torch::TensorOptions().dtype(torch::kLong)).to(device);
}

/// The LogitsProcessorList transformers builds for these settings. input_ids (N, cur), scores (N, V).
torch::Tensor process(const Plan& p, const torch::Tensor& input_ids, torch::Tensor scores) {
  const GenerationConfig& c = *p.cfg;
  const int64_t cur = input_ids.size(1), V = scores.size(1);
  if (c.no_repeat_ngram_size > 0 && cur >= c.no_repeat_ngram_size) {  // NoRepeatNGramLogitsProcessor
    const int64_t n = c.no_repeat_ngram_size;
    torch::Tensor prefix = input_ids.slice(1, cur + 1 - n);                               // (N, n-1)
    torch::Tensor windows = input_ids.unfold(1, n, 1);                                    // (N, W, n)
    torch::Tensor matches = (windows.slice(2, 0, n - 1) == prefix.unsqueeze(1)).all(-1);  // (N, W)
    torch::Tensor banned = torch::zeros({scores.size(0), V + 1}, scores.options().dtype(torch::kBool));
    torch::Tensor last = windows.select(2, n - 1).clamp_max(V);
    banned.scatter_(1, torch::where(matches, last, torch::full_like(last, V)), true);
    scores = scores.masked_fill(banned.slice(1, 0, V), -kInf);
  }
  if (!p.eos.empty()) {
    torch::Tensor eos_mask = torch::isin(torch::arange(V, input_ids.options()), ids_tensor(p.eos, scores.device()));
    const bool below_min = p.min_length > 0 && cur < p.min_length;  // MinLengthLogitsProcessor
    const bool below_min_new =                                      // MinNewTokensLengthLogitsProcessor
        c.min_new_tokens && *c.min_new_tokens > 0 && cur - p.prompt_len < *c.min_new_tokens;
    if (below_min || below_min_new) scores = torch::where(eos_mask, -kInf, scores);
  }
  if (c.forced_bos_token_id && cur == 1) {  // ForcedBOSTokenLogitsProcessor
    scores = torch::full_like(scores, -kInf);
    scores.select(1, *c.forced_bos_token_id).fill_(0);
  }
  if (!c.forced_eos_token_id.empty() && cur == p.max_length - 1) {  // ForcedEOSTokenLogitsProcessor
    scores = torch::full_like(scores, -kInf);
    for (int64_t id : c.forced_eos_token_id) scores.select(1, id).fill_(0);
  }
  return scores;
}

/// MaxLengthCriteria | EosTokenCriteria on sequences (N, cur) → (N) bool.
torch::Tensor stopping(const Plan& p, const torch::Tensor& seqs) {
  torch::Tensor done = torch::full({seqs.size(0)}, seqs.size(1) >= p.max_length, seqs.options().dtype(torch::kBool));
  if (!p.eos.empty()) done = done | torch::isin(seqs.select(1, -1), ids_tensor(p.eos, seqs.device()));
  return done;
}

/// Runs the model on the whole prefix (N, cur) and returns the last position's logits (N, V) in fp32.
class Stepper {
 public:
  Stepper(PreTrainedModelImpl& model, const torch::Tensor& mask, const torch::Tensor& position_ids,
          const torch::Tensor& encoder_hidden, int64_t prompt_len)
      : model_(model), mask_(mask), pos_(position_ids), enc_(encoder_hidden), prompt_len_(prompt_len) {}

  torch::Tensor operator()(const torch::Tensor& seqs) {
    ModelInputs in;
    const int64_t added = seqs.size(1) - prompt_len_;
    if (model_.is_encoder_decoder()) {
      in.decoder_input_ids = seqs;
      in.encoder_last_hidden_state = enc_;
      in.attention_mask = mask_;  // the encoder's padding
    } else {
      in.input_ids = seqs;
      // As transformers' _update_model_kwargs_for_generation: new tokens are attended, positions go on
      // from the last prompt position.
      if (mask_.defined())
        in.attention_mask = torch::cat({mask_, torch::ones({seqs.size(0), added}, mask_.options())}, 1);
      in.position_ids = torch::cat({pos_, pos_.slice(1, -1) + torch::arange(1, added + 1, pos_.options()).unsqueeze(0)},
                                   1);  // (N, cur)
    }
    torch::Tensor logits = model_.forward(in).logits;
    AFINAR_CHECK(logits.defined() && logits.dim() == 3,
                 "generate: the model must return logits (batch, seq_len, vocab) (HINT: load it with "
                 "AutoModelForCausalLM or AutoModelForSeq2SeqLM)");
    return logits.select(1, -1).to(torch::kFloat);  // (N, V)
  }

 private:
  PreTrainedModelImpl& model_;
  torch::Tensor mask_, pos_, enc_;
  int64_t prompt_len_;
};

/// transformers' _sample with do_sample = false.
torch::Tensor greedy(const Plan& p, Stepper& step, torch::Tensor seqs) {
  const bool has_eos = !p.eos.empty();
  torch::Tensor unfinished = torch::ones({seqs.size(0)}, seqs.options());
  while (true) {
    torch::Tensor scores = process(p, seqs, step(seqs));                // (N, V)
    torch::Tensor next = scores.argmax(-1);                             // (N)
    if (has_eos) next = next * unfinished + *p.pad * (1 - unfinished);  // finished rows get pad
    seqs = torch::cat({seqs, next.unsqueeze(1)}, 1);
    unfinished = unfinished * stopping(p, seqs).logical_not().to(torch::kLong);
    if (unfinished.max().item<int64_t>() == 0) return seqs;
  }
}

/// transformers' _gather_beams: tensor (B, K, …) indexed on dim 1 by beam_indices (B, k).
torch::Tensor gather_beams(const torch::Tensor& t, torch::Tensor idx) {
  while (idx.dim() < t.dim()) idx = idx.unsqueeze(-1);
  return torch::take_along_dim(t, idx, 1);
}

torch::Tensor flatten_beams(const torch::Tensor& t) {  // (B, K, …) → (B·K, …)
  std::vector<int64_t> shape(t.sizes().begin() + 1, t.sizes().end());
  shape[0] = t.size(0) * t.size(1);
  return t.reshape(shape);
}

/// transformers' _beam_search (with its helpers _get_top_k_continuations,
/// _get_running_beams_for_next_iteration, _update_finished_beams, _check_early_stop_heuristic,
/// _beam_search_has_unfinished_sequences) with do_sample = false.
torch::Tensor beam_search(const Plan& p, Stepper& step, const torch::Tensor& input_ids) {
  const GenerationConfig& c = *p.cfg;
  const int64_t nb = c.num_beams, B = input_ids.size(0) / nb;
  int64_t cur_len = input_ids.size(1);
  const int64_t prompt_len = cur_len, max_length = p.max_length;
  const double lp = c.length_penalty;
  const bool early_true = c.early_stopping == EarlyStopping::True;
  const auto dev = input_ids.device();
  auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(dev);
  auto i64 = torch::TensorOptions().dtype(torch::kLong).device(dev);
  auto b8 = torch::TensorOptions().dtype(torch::kBool).device(dev);

  // At least num_beams unfinished candidates even if the best ones all pick an eos.
  const int64_t K = std::max<int64_t>(2, 1 + static_cast<int64_t>(p.eos.size())) * nb;
  torch::Tensor top_num_beam_mask = torch::cat({torch::ones({nb}, b8), torch::zeros({K - nb}, b8)});
  // `pad_token_id or eos_token_id[0] if eos_token_id is not None else -1` (a pad of 0 counts as unset).
  const int64_t fill = p.eos.empty() ? -1 : (p.pad && *p.pad != 0 ? *p.pad : p.eos[0]);

  torch::Tensor running_sequences = torch::full({B, nb, max_length}, fill, i64);
  running_sequences.slice(2, 0, cur_len).copy_(input_ids.view({B, nb, cur_len}));
  torch::Tensor sequences = running_sequences.clone();
  torch::Tensor running_beam_scores = torch::zeros({B, nb}, f32);
  running_beam_scores.slice(1, 1).fill_(-1e9);  // only the first beam's tokens count at step one
  torch::Tensor beam_scores = torch::full({B, nb}, -1e9, f32);
  torch::Tensor is_sent_finished = torch::zeros({B, nb}, b8);
  torch::Tensor heuristic_unsatisfied = torch::ones({B, 1}, b8);
  torch::Tensor running_beam_indices = torch::full({B, nb, max_length - cur_len}, -1, i64.dtype(torch::kInt));
  torch::Tensor beam_indices = running_beam_indices.clone();
  torch::Tensor batch_offset = torch::arange(B, i64).view({-1, 1}) * nb;

  while (true) {
    torch::Tensor flat = flatten_beams(running_sequences.slice(2, 0, cur_len));  // (B·nb, cur)
    torch::Tensor log_probs = torch::log_softmax(step(flat), -1);                // (B·nb, V)
    log_probs = process(p, flat, log_probs);
    const int64_t V = log_probs.size(1);
    log_probs = (log_probs.view({B, nb, V}) + running_beam_scores.unsqueeze(2)).reshape({B, nb * V});

    // Top-K continuations over all beams.
    auto [topk_log_probs, topk_indices] = torch::topk(log_probs, K);  // (B, K)
    torch::Tensor topk_beam = topk_indices.div(V, "floor");
    torch::Tensor topk_running_beam_indices = gather_beams(running_beam_indices, topk_beam);
    torch::Tensor topk_running_sequences = gather_beams(running_sequences, topk_beam);
    topk_running_sequences.select(2, cur_len).copy_(topk_indices.remainder(V));
    topk_running_beam_indices.select(2, cur_len - prompt_len).copy_(topk_beam + batch_offset);

    torch::Tensor hits = stopping(p, flatten_beams(topk_running_sequences.slice(2, 0, cur_len + 1))).view({B, K});

    // The best num_beams unfinished continuations run on.
    torch::Tensor topk_running_log_probs = topk_log_probs + hits.to(torch::kFloat) * -1.0e9;
    torch::Tensor next_idx = std::get<1>(torch::topk(topk_running_log_probs, nb));
    running_sequences = gather_beams(topk_running_sequences, next_idx);
    running_beam_scores = gather_beams(topk_running_log_probs, next_idx);
    running_beam_indices = gather_beams(topk_running_beam_indices, next_idx);

    // Finished candidates among the top num_beams join the finished set if they score better.
    torch::Tensor did_finish = hits & top_num_beam_mask.unsqueeze(0);
    torch::Tensor scores = topk_log_probs / std::pow(static_cast<double>(cur_len + 1 - prompt_len), lp);
    torch::Tensor full = is_sent_finished.all(-1, /*keepdim=*/true).logical_and(torch::full({}, early_true, b8));
    scores = scores + full.to(torch::kFloat) * -1.0e9;
    scores = scores + heuristic_unsatisfied.logical_not().to(torch::kFloat) * -1.0e9;
    scores = scores + did_finish.logical_not().to(torch::kFloat) * -1.0e9;
    torch::Tensor merged_idx = std::get<1>(torch::topk(torch::cat({beam_scores, scores}, 1), nb));
    sequences = gather_beams(torch::cat({sequences, topk_running_sequences}, 1), merged_idx);
    beam_scores = gather_beams(torch::cat({beam_scores, scores}, 1), merged_idx);
    beam_indices = gather_beams(torch::cat({beam_indices, topk_running_beam_indices}, 1), merged_idx);
    is_sent_finished = gather_beams(torch::cat({is_sent_finished, did_finish}, 1), merged_idx);

    ++cur_len;
    // Can a running beam still beat the worst finished one?
    const int64_t best_len =
        c.early_stopping == EarlyStopping::Never && lp > 0.0 ? max_length - prompt_len : cur_len - prompt_len;
    torch::Tensor best_running = running_beam_scores.slice(1, 0, 1) / std::pow(static_cast<double>(best_len), lp);
    torch::Tensor worst_finished =
        torch::where(is_sent_finished, std::get<0>(beam_scores.min(1, /*keepdim=*/true)), torch::full({}, -1.0e9, f32));
    heuristic_unsatisfied = heuristic_unsatisfied & (best_running > worst_finished).any(-1, /*keepdim=*/true);

    const bool improvement_possible = heuristic_unsatisfied.any().item<bool>();
    const bool exists_open_beam = !(is_sent_finished.all().item<bool>() && early_true);
    const bool valid_continuations = !hits.all().item<bool>();
    if (!(improvement_possible && exists_open_beam && valid_continuations)) break;
  }

  const int64_t n = c.num_return_sequences;
  sequences = flatten_beams(sequences.slice(1, 0, n));        // (B·n, max_length)
  beam_indices = flatten_beams(beam_indices.slice(1, 0, n));  // (B·n, max_length - prompt)
  const int64_t generated = (beam_indices + 1).to(torch::kBool).sum(1).max().item<int64_t>();
  return sequences.slice(1, 0, prompt_len + generated);
}

}  // namespace

torch::Tensor generate(PreTrainedModelImpl& model, const ModelInputs& inputs, const GenerationConfig& cfg) {
  torch::NoGradGuard no_grad;
  if (cfg.do_sample) AFINAR_NOT_IMPLEMENTED("generate: sampling (do_sample = true); only greedy and beam search");
  if (cfg.repetition_penalty != 1.0) AFINAR_NOT_IMPLEMENTED("generate: repetition_penalty != 1");
  AFINAR_CHECK(inputs.input_ids.defined() && inputs.input_ids.dim() == 2,
               "generate: input_ids (batch, seq_len) is required");
  AFINAR_CHECK(cfg.num_beams >= 1, "generate: num_beams must be >= 1, got ", cfg.num_beams);
  AFINAR_CHECK(cfg.num_return_sequences <= cfg.num_beams, "generate: num_return_sequences (", cfg.num_return_sequences,
               ") must be <= num_beams (", cfg.num_beams, ") (HINT: greedy search returns one sequence per input)");
  const torch::Tensor& ids = inputs.input_ids;
  const int64_t B = ids.size(0);
  const bool seq2seq = model.is_encoder_decoder();

  Plan p;
  p.cfg = &cfg;
  p.eos = cfg.eos_token_id;
  p.pad = cfg.pad_token_id;
  if (!p.pad && !p.eos.empty()) p.pad = p.eos[0];  // as _prepare_special_tokens

  torch::Tensor mask = inputs.attention_mask, position_ids, encoder_hidden, seqs;
  if (seq2seq) {
    std::optional<int64_t> start = cfg.decoder_start_token_id ? cfg.decoder_start_token_id : cfg.bos_token_id;
    AFINAR_CHECK(start,
                 "generate: decoder_start_token_id or bos_token_id has to be defined for encoder-decoder "
                 "generation");
    seqs = torch::full({B, 1}, *start, ids.options());  // (B, 1)
    ModelInputs enc_in;
    enc_in.input_ids = ids;
    enc_in.attention_mask = mask;
    enc_in.decoder_input_ids = seqs;
    encoder_hidden = model.forward(enc_in).encoder_last_hidden_state;  // (B, T, D): the encoder, once
    AFINAR_CHECK(encoder_hidden.defined(), "generate: the encoder-decoder model returned no encoder output");
  } else {
    seqs = ids;
    if (!mask.defined()) {  // _prepare_attention_mask_for_generation: from padding, when it can tell
      mask = torch::ones_like(ids);
      const bool pad_in_inputs = p.pad && (ids == *p.pad).any().item<bool>();
      const bool pad_is_eos = p.pad && std::find(p.eos.begin(), p.eos.end(), *p.pad) != p.eos.end();
      if (pad_in_inputs && !pad_is_eos) mask = (ids != *p.pad).to(torch::kLong);
    }
    position_ids = (mask.to(torch::kLong).cumsum(-1) - 1).masked_fill(mask == 0, 0);  // (B, T)
    if (mask.all().item<bool>()) mask = torch::Tensor();  // transformers then passes no mask
  }

  // Expand every per-row input to num_beams rows (_expand_inputs_for_generation).
  const int64_t expand = std::max(cfg.num_beams, cfg.num_return_sequences);
  auto rep = [&](const torch::Tensor& t) { return t.defined() ? t.repeat_interleave(expand, 0) : t; };
  seqs = rep(seqs);
  mask = rep(mask);
  position_ids = rep(position_ids);
  encoder_hidden = rep(encoder_hidden);

  p.prompt_len = seqs.size(1);
  const bool default_max = !cfg.max_length && !cfg.max_new_tokens;
  if (cfg.max_new_tokens) {
    p.max_length = *cfg.max_new_tokens + p.prompt_len;
  } else if (default_max) {  // 20 new tokens, capped by the model's positions
    p.max_length = 20 + p.prompt_len;
    nlohmann::json mc = model.config_json();
    for (const char* k : {"max_position_embeddings", "n_positions"})
      if (mc.contains(k) && mc[k].is_number_integer()) {
        p.max_length = std::min(p.max_length, mc[k].get<int64_t>());
        break;
      }
  } else {
    p.max_length = *cfg.max_length;
  }
  p.min_length = cfg.min_new_tokens ? *cfg.min_new_tokens + p.prompt_len : cfg.min_length;
  AFINAR_CHECK(p.prompt_len < p.max_length, "generate: input length of ", seq2seq ? "decoder_input_ids" : "input_ids",
               " is ", p.prompt_len, ", but max_length is set to ", p.max_length,
               " (HINT: increase max_length or, better, set max_new_tokens)");

  Stepper step(model, mask, position_ids, encoder_hidden, p.prompt_len);
  if (cfg.num_beams == 1) return greedy(p, step, seqs);
  return beam_search(p, step, seqs);
}

}  // namespace afinar
