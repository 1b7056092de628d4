/// The fields transformers' BertConfig and RobertaConfig share (RobertaConfig is BertConfig's
/// field list with other defaults), read, written and checked once. BertConfig and RobertaConfig
/// derive from it; the shared encoder block (nn/bert_encoder.h) takes its encoder_options().
///
///   afinar::RobertaConfig cfg;                    // RoBERTa's defaults (vocab 50265, pad 1)
///   cfg.read_fields(config_json);                 // the fields present override them
///   nlohmann::json back = cfg.fields_json("roberta");
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/models/config_labels.h"

namespace afinar {

struct BertEncoderOptions;  // nn/bert_encoder.h

struct BertStyleConfig : ConfigLabels {
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
  std::optional<double> classifier_dropout;          ///< unset = hidden_dropout_prob
  bool is_decoder = false;  ///< causal self-attention: only the causal-LM heads accept true (validate() refuses it)
  bool add_cross_attention = false;  ///< must be false
  bool use_cache = true;
  std::vector<std::string> architectures;
  nlohmann::json extra = nlohmann::json::object();  ///< unknown config.json fields, kept verbatim

  /// The config.json fields present in `j` over the current values (so a subclass's defaults fill
  /// the absent ones); unknown fields into `extra`. InvalidArgument on a field of the wrong type.
  void read_fields(const nlohmann::json& j);
  /// Every field (known and extra) with `model_type`, id2label/label2id as transformers writes them.
  nlohmann::json fields_json(const char* model_type) const;
  /// Throws InvalidArgument naming `config` and the first inconsistent or unsupported field.
  void check_fields(const char* config) const;
  /// The hyperparameters of the shared encoder block.
  BertEncoderOptions encoder_options() const;
};

}  // namespace afinar
