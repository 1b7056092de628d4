/// generate(): greedy and beam search for causal LMs (GPT-2, Llama, …) and seq2seq LMs (T5, BART),
/// with transformers 5.23's semantics and names (GenerationMixin.generate / _sample / _beam_search).
///
/// There is no KV cache: every step runs the decoder (causal: the whole model) over the full prefix,
/// O(L²) per sequence; seq2seq models run the encoder once and reuse its output. Fine for evaluation
/// of small models, slow for long generations.
///
///   auto model = afinar::AutoModelForSeq2SeqLM::from_pretrained("t5-small");
///   auto cfg = afinar::GenerationConfig::from_pretrained("t5-small");   // generation_config.json
///   cfg.max_new_tokens = 32;  cfg.num_beams = 4;
///   torch::Tensor out = afinar::generate(*model, {.input_ids = ids, .attention_mask = mask}, cfg);
///   // out: (B, L) int64 = decoder_start + new tokens (seq2seq) or prompt + new tokens (causal)
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/modeling.h"

namespace afinar {

/// transformers' GenerationConfig: the fields greedy and beam search use, with its defaults.
/// Unset optionals mean "not set" as in transformers (e.g. max_length unset = 20 + prompt length).
struct GenerationConfig {
  enum class EarlyStopping { False, True, Never };  ///< early_stopping: false | true | "never"

  std::optional<int64_t> max_length;      ///< total length (prompt included); unset = 20 new tokens
  std::optional<int64_t> max_new_tokens;  ///< takes precedence over max_length
  int64_t min_length = 0;                 ///< eos is suppressed below this total length
  std::optional<int64_t> min_new_tokens;  ///< takes precedence over min_length
  bool do_sample = false;                 ///< true throws "not implemented"
  int64_t num_beams = 1;
  int64_t num_return_sequences = 1;  ///< ≤ num_beams (beam search); 1 for greedy
  double length_penalty = 1.0;       ///< beam scores are divided by length ** length_penalty
  EarlyStopping early_stopping = EarlyStopping::False;
  int64_t no_repeat_ngram_size = 0;
  double repetition_penalty = 1.0;      ///< ≠ 1 throws "not implemented"
  std::vector<int64_t> eos_token_id;    ///< empty = none; config.json may give an int or a list
  std::optional<int64_t> pad_token_id;  ///< unset = eos_token_id[0]
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> decoder_start_token_id;  ///< seq2seq; unset = bos_token_id
  std::optional<int64_t> forced_bos_token_id;
  std::vector<int64_t> forced_eos_token_id;  ///< forced at max_length - 1 (BART's config sets 2)
  /// Fields read but not interpreted (kept for to_json): sampling knobs, use_cache, …
  nlohmann::json extra = nlohmann::json::object();

  /// A generation_config.json object. Throws InvalidArgument on a field of the wrong type.
  static GenerationConfig from_json(const nlohmann::json& j);
  /// transformers' GenerationConfig.from_model_config: the generation fields of a config.json.
  static GenerationConfig from_model_config(const nlohmann::json& config);
  /// generation_config.json in `folder` when present, else from config.json (as from_pretrained).
  static GenerationConfig from_pretrained(const std::string& folder);
  nlohmann::json to_json() const;
};

/// transformers' model.generate(input_ids, attention_mask=…, **cfg) for greedy search
/// (num_beams = 1) and beam search. `inputs.input_ids` (B, T) int64 and optionally
/// `inputs.attention_mask` (B, T) (causal prompts left-padded). Returns (B·num_return_sequences, L)
/// int64 exactly as transformers: causal = prompt + new tokens, seq2seq = decoder_start + new tokens;
/// rows that finished early are padded with pad_token_id (beam search: as transformers fills,
/// pad_token_id if non-zero, else eos_token_id[0]). Runs under NoGradGuard, in the model's mode
/// (call eval() first, as for transformers).
torch::Tensor generate(PreTrainedModelImpl& model, const ModelInputs& inputs, const GenerationConfig& cfg);

}  // namespace afinar
