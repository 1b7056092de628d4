/// LlamaConfig: transformers' LlamaConfig, and the Qwen2Config and MistralConfig that differ from it
/// only in fields — one struct, read with the defaults of its model_type ("llama", "qwen2",
/// "mistral"), saved back with that model_type's fields. Fields afinar does not know are kept in
/// `extra`.
///
/// RoPE: `rope_parameters` as transformers ≥ 5 writes it ({"rope_type", "rope_theta", "factor", …});
/// older configs' "rope_theta" + "rope_scaling" are read into it. rope_type default, linear, dynamic
/// and llama3 are supported; others throw "not implemented: rope_type X".
///
///   auto cfg = afinar::LlamaConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.validate();
///   cfg.head_dim;              // hidden_size / num_attention_heads unless set
///   cfg.layer_is_sliding(0);   // Mistral: sliding_window set; Qwen2: layer_types
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/config_labels.h"

namespace afinar {

/// The label fields (id2label, num_labels, problem_type) are ConfigLabels'.
struct LlamaConfig : ConfigLabels {
  std::string model_type = "llama";  ///< llama | qwen2 | mistral
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  ///< grouped-query attention: heads share key/value heads
  int64_t head_dim = 128;            ///< default hidden_size / num_attention_heads
  std::string hidden_act = "silu";
  int64_t max_position_embeddings = 2048;
  double initializer_range = 0.02;
  double rms_norm_eps = 1e-6;
  bool use_cache = true;
  std::optional<int64_t> pad_token_id;
  nlohmann::json bos_token_id = 1;  ///< int, list or null, kept as config.json has it
  nlohmann::json eos_token_id = 2;
  bool tie_word_embeddings = false;  ///< lm_head.weight is model.embed_tokens.weight
  /// {"rope_type": …, "rope_theta": …, "factor": …, …}, standardised as transformers does.
  nlohmann::json rope_parameters = {{"rope_type", "default"}, {"rope_theta", 10000.0}};
  bool attention_bias = false;  ///< llama: q/k/v/o biases; qwen2: q/k/v always, o never
  double attention_dropout = 0.0;
  bool mlp_bias = false;
  // Sliding-window attention (mistral: every layer when set; qwen2: layers per layer_types).
  std::optional<int64_t> sliding_window;
  bool use_sliding_window = false;           ///< qwen2 only
  int64_t max_window_layers = 28;            ///< qwen2 only
  std::vector<std::string> layer_types;      ///< qwen2 only: "full_attention" | "sliding_attention"
  std::optional<double> classifier_dropout;  ///< token classification; unset = 0.1 (as transformers)
  /// "sdpa" (torch's scaled_dot_product_attention, the default) or "eager"; not saved.
  std::string attn_implementation = "sdpa";

  std::vector<std::string> architectures;

  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  std::string rope_type() const { return rope_parameters.value("rope_type", std::string("default")); }
  /// q/k/v projections carry a bias (llama: attention_bias; qwen2: always; mistral: never).
  bool qkv_bias() const;
  /// o_proj carries a bias (llama: attention_bias; qwen2, mistral: never).
  bool o_proj_bias() const;
  /// Whether layer `i` attends through the sliding window.
  bool layer_is_sliding(int64_t i) const;

  /// Reads a config.json object with the defaults of its model_type; InvalidArgument on a field of
  /// the wrong type or an unknown model_type.
  static LlamaConfig from_json(const nlohmann::json& j);
  /// The fields transformers writes for this model_type (+ extra), id2label/label2id.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent field; NotImplemented for a RoPE type
  /// other than default/linear/dynamic/llama3.
  void validate() const;
};

}  // namespace afinar
