/// RobertaConfig: transformers' RobertaConfig. Its fields are BertConfig's with other defaults
/// (vocab 50265, pad_token_id 1, bos 0, eos 2), so it extends BertConfig, and the BERT blocks whose
/// state-dict names RoBERTa shares take it as it is. Unknown fields are kept in `extra`.
///
///   auto cfg = afinar::RobertaConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.validate();
#pragma once
#include "afinar/models/bert/configuration_bert.h"

namespace afinar {

struct RobertaConfig : BertConfig {
  std::optional<int64_t> bos_token_id = 0;
  std::optional<int64_t> eos_token_id = 2;

  RobertaConfig();  ///< transformers' defaults (roberta-base)

  /// Reads a config.json object; fields absent take RoBERTa's defaults (not BERT's).
  static RobertaConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "roberta".
  nlohmann::json to_json() const;
  /// BertConfig's checks, and pad_token_id set (position ids are counted from it).
  void validate() const;
};

}  // namespace afinar
