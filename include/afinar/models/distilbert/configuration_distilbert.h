/// DistilBertConfig: transformers' DistilBertConfig (+ the PretrainedConfig fields a classifier
/// needs), with the same field names and defaults. Unknown fields are kept in `extra` so that a
/// loaded config.json saves back with them.
///
///   auto cfg = afinar::DistilBertConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.validate();
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace afinar {

struct DistilBertConfig {
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

  // PretrainedConfig fields of a classifier.
  std::vector<std::string> id2label = {"LABEL_0", "LABEL_1"};  ///< index → name; size = num_labels
  std::string problem_type;  ///< "" (decided from the labels) | regression |
                             ///< single_label_classification | multi_label_classification
  std::vector<std::string> architectures;

  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  int64_t num_labels() const { return static_cast<int64_t>(id2label.size()); }
  /// Resets id2label to LABEL_0..LABEL_{n-1} when n differs from the current count.
  void set_num_labels(int64_t n);

  /// Reads a config.json object; throws InvalidArgument on a field of the wrong type.
  static DistilBertConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "distilbert", id2label/label2id as transformers.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
