/// RobertaConfig: transformers' RobertaConfig. Its fields are BertConfig's (BertStyleConfig) with
/// other defaults (vocab 50265, pad_token_id 1, bos 0, eos 2). Unknown fields are kept in `extra`.
///
///   auto cfg = afinar::RobertaConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.validate();
#pragma once
#include "afinar/models/bert_style_config.h"

namespace afinar {

struct RobertaConfig : BertStyleConfig {
  std::optional<int64_t> bos_token_id = 0;
  std::optional<int64_t> eos_token_id = 2;

  RobertaConfig();  ///< transformers' defaults (roberta-base)

  /// Reads a config.json object; fields absent take RoBERTa's defaults (not BERT's).
  static RobertaConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "roberta".
  nlohmann::json to_json() const;
  /// The shared checks, and pad_token_id set (position ids are counted from it).
  void validate() const;
};

}  // namespace afinar
