#include "afinar/models/bert/configuration_bert.h"

namespace afinar {

BertConfig BertConfig::from_json(const nlohmann::json& j) {
  BertConfig c;
  c.read_fields(j);
  return c;
}

nlohmann::json BertConfig::to_json() const {
  return fields_json("bert");
}

void BertConfig::validate() const {
  check_fields("BertConfig");
}

}  // namespace afinar
