/// BertConfig: transformers' BertConfig (+ the PretrainedConfig fields a classifier needs), with
/// the same field names and defaults (the fields are BertStyleConfig's, shared with RoBERTa).
/// Fields afinar does not know are kept in `extra` so that a loaded config.json saves back with them.
///
///   auto cfg = afinar::BertConfig::from_json(nlohmann::json::parse(read_file("config.json")));
///   cfg.set_num_labels(3);   // id2label → LABEL_0..LABEL_2
///   cfg.validate();
#pragma once
#include <nlohmann/json.hpp>

#include "afinar/models/bert_style_config.h"

namespace afinar {

struct BertConfig : BertStyleConfig {
  /// Reads a config.json object; throws InvalidArgument on a field of the wrong type.
  static BertConfig from_json(const nlohmann::json& j);
  /// All fields (known and extra), model_type "bert", id2label/label2id as transformers writes them.
  nlohmann::json to_json() const;
  /// Throws InvalidArgument naming the first inconsistent or unsupported field.
  void validate() const;
};

}  // namespace afinar
