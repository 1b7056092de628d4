/// DistilBertConfig: transformers' DistilBertConfig (+ the PretrainedConfig fields a classifier
/// needs), with the same field names and defaults. Unknown fields are kept in `extra` so that a
/// loaded config.json saves back with them.
///
///   auto cfg = afinar::DistilBertConfig::from_json(nlohmann::json::parse(read_file("config.json")));
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
struct DistilBertConfig : ConfigLabels {
  int64_t vocab_size = 30522;
  int64_t max_position_embeddings = 512;
  bool sinusoidal_pos_embds = false;  ///< must be false (learned position embeddings)
  int64_t n_layers = 6;
  int64_t n_heads = 12;
  int64_t dim = 768;
  int64_t hidden_dim = 4 * 768;
  double dropout = 0.1;
  double attention_dropout = 0.1;
  std::string activation = "gelu";  ///< gelu (exact) | gelu_new | gelu_pytorch_tanh | relu | silu | swish
  double initializer_range = 0.02;
  double qa_dropout = 0.1;
  double seq_classif_dropout = 0.2;
  std::optional<int64_t> pad_token_id = 0;

  std::vector<std::string> architectures;

  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  /// Reads a config.json object; throws InvalidArgument on a field of the wrong type.
  static DistilBertConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "distilbert", id2label/label2id as transformers.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
