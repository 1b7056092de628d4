/// GPT2Config: transformers' GPT2Config (+ the PretrainedConfig fields a head needs), with the same
/// field names and defaults. transformers' aliases (hidden_size → n_embd, num_hidden_layers →
/// n_layer, num_attention_heads → n_head, max_position_embeddings → n_positions) are read too.
/// Fields afinar does not know are kept in `extra` so that a loaded config.json saves back with them.
///
///   auto cfg = afinar::GPT2Config::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.pad_token_id = 50256;   // sequence classification pools the last non-pad token
///   cfg.validate();
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/config_labels.h"

namespace afinar {

/// The label fields (id2label, num_labels, problem_type) are ConfigLabels'.
struct GPT2Config : ConfigLabels {
  int64_t vocab_size = 50257;
  int64_t n_positions = 1024;
  int64_t n_embd = 768;
  int64_t n_layer = 12;
  int64_t n_head = 12;
  std::optional<int64_t> n_inner;  ///< unset = 4 * n_embd
  std::string activation_function = "gelu_new";
  double resid_pdrop = 0.1;
  double embd_pdrop = 0.1;
  double attn_pdrop = 0.1;
  double layer_norm_epsilon = 1e-5;
  double initializer_range = 0.02;
  bool scale_attn_weights = true;
  bool scale_attn_by_inverse_layer_idx = false;
  bool reorder_and_upcast_attn = false;  ///< eager path: scores in float32 (a no-op in fp32)
  bool add_cross_attention = false;      ///< must be false (no encoder-decoder GPT-2)
  bool use_cache = true;
  bool tie_word_embeddings = true;      ///< lm_head.weight is transformer.wte.weight (must be true)
  nlohmann::json bos_token_id = 50256;  ///< int, list or null, kept as config.json has it
  nlohmann::json eos_token_id = 50256;
  std::optional<int64_t> pad_token_id;       ///< unset: sequence classification needs batch size 1
  std::optional<double> classifier_dropout;  ///< token classification; unset = 0.1 (as transformers)
  /// "sdpa" (torch's scaled_dot_product_attention, the default) or "eager" (written out; same
  /// numbers). Not saved, as transformers does not save it.
  std::string attn_implementation = "sdpa";

  std::vector<std::string> architectures;

  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  int64_t hidden_size() const { return n_embd; }
  int64_t inner_dim() const { return n_inner.value_or(4 * n_embd); }

  /// Reads a config.json object; throws InvalidArgument on a field of the wrong type.
  static GPT2Config from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "gpt2", id2label/label2id as transformers writes them.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
