#include "afinar/models/roberta/configuration_roberta.h"

#include "afinar/core/check.h"

namespace afinar {

RobertaConfig::RobertaConfig() {
  vocab_size = 50265;
  pad_token_id = 1;
}

RobertaConfig RobertaConfig::from_json(const nlohmann::json& j) {
  RobertaConfig c;  // RoBERTa's defaults under the file's fields
  c.read_fields(j);
  auto token = [&](const char* key, std::optional<int64_t>& out) {
    auto it = c.extra.find(key);
    if (it == c.extra.end()) return;
    if (it->is_null())
      out.reset();
    else if (it->is_number_integer())
      out = it->get<int64_t>();
    else
      return;  // a list of eos ids: kept verbatim in extra
    c.extra.erase(it);
  };
  token("bos_token_id", c.bos_token_id);
  token("eos_token_id", c.eos_token_id);
  return c;
}

nlohmann::json RobertaConfig::to_json() const {
  nlohmann::json j = fields_json("roberta");
  if (!j.contains("bos_token_id"))
    j["bos_token_id"] = bos_token_id ? nlohmann::json(*bos_token_id) : nlohmann::json(nullptr);
  if (!j.contains("eos_token_id"))
    j["eos_token_id"] = eos_token_id ? nlohmann::json(*eos_token_id) : nlohmann::json(nullptr);
  return j;
}

void RobertaConfig::validate() const {
  check_fields("RobertaConfig");
  AFINAR_CHECK(pad_token_id.has_value(), "RobertaConfig: pad_token_id must be set (position ids start after it)");
  AFINAR_CHECK(max_position_embeddings > *pad_token_id + 1, "RobertaConfig: max_position_embeddings (",
               max_position_embeddings, ") leaves no position after pad_token_id (", *pad_token_id, ")");
}

}  // namespace afinar
