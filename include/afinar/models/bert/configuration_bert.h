/// BertConfig: transformers' BertConfig (+ the PretrainedConfig fields a classifier needs), with
/// the same field names and defaults. Fields afinar does not know are kept in `extra` so that a
/// loaded config.json saves back with them.
///
///   auto cfg = afinar::BertConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.set_num_labels(3);   // id2label → LABEL_0..LABEL_2
///   cfg.validate();
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace afinar {

struct BertConfig {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";  ///< gelu (exact) | gelu_new | gelu_pytorch_tanh | relu | silu | swish
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  std::optional<int64_t> pad_token_id = 0;
  std::string position_embedding_type = "absolute";  ///< only "absolute" is supported
  std::optional<double> classifier_dropout;           ///< unset = hidden_dropout_prob
  bool is_decoder = false;  ///< causal self-attention: only the causal-LM heads accept true (validate() refuses it)
  bool add_cross_attention = false;                   ///< must be false
  bool use_cache = true;

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
  static BertConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "bert", id2label/label2id as transformers writes them.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
