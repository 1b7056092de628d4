/// BartConfig: transformers' BartConfig (v5.23), same field names and defaults (num_labels 3).
/// Fields afinar does not know are kept in `extra` so that a loaded config.json saves back with them.
///
///   auto cfg = afinar::BartConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.set_num_labels(2);   // id2label → LABEL_0, LABEL_1
///   cfg.validate();
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/config_labels.h"

namespace afinar {

/// The label fields (id2label, num_labels, problem_type) are ConfigLabels'; BART's default is 3 labels.
struct BartConfig : ConfigLabels {
  BartConfig() : ConfigLabels(3) {}

  int64_t vocab_size = 50265;
  int64_t max_position_embeddings = 1024;
  int64_t encoder_layers = 12;
  int64_t encoder_ffn_dim = 4096;
  int64_t encoder_attention_heads = 16;
  int64_t decoder_layers = 12;
  int64_t decoder_ffn_dim = 4096;
  int64_t decoder_attention_heads = 16;
  double encoder_layerdrop = 0.0;
  double decoder_layerdrop = 0.0;
  std::string activation_function = "gelu";  ///< transformers' ACT2FN name
  int64_t d_model = 1024;
  double dropout = 0.1;
  double attention_dropout = 0.0;
  double activation_dropout = 0.0;
  double init_std = 0.02;
  double classifier_dropout = 0.0;
  bool scale_embedding = false;  ///< token embeddings × sqrt(d_model)
  bool use_cache = true;
  std::optional<int64_t> pad_token_id = 1;
  std::optional<int64_t> bos_token_id = 0;
  nlohmann::json eos_token_id = 2;  ///< int, list of ints, or null
  std::optional<int64_t> decoder_start_token_id = 2;
  nlohmann::json forced_eos_token_id = 2;  ///< int, list of ints, or null
  bool tie_word_embeddings = true;         ///< lm_head is model.shared

  std::vector<std::string> architectures;
  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  /// The single eos id (BartForSequenceClassification pools at it); throws when eos_token_id is a list.
  int64_t eos_id() const;

  static BartConfig from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
  void validate() const;
};

}  // namespace afinar
