// GenerationConfig: generation_config.json / config.json fields with transformers' names and defaults.
#include "../config_read.h"
#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/hub/cache.h"
#include "afinar/models/generation.h"

namespace afinar {

namespace {

template <typename T>
void read(const nlohmann::json& j, const char* key, T& out) {
  detail::read_field(j, key, out, "generation config");
}

const char* const kFields[] = {
    "max_length",          "max_new_tokens",       "min_length",     "min_new_tokens", "do_sample",
    "num_beams",           "num_return_sequences", "length_penalty", "early_stopping", "no_repeat_ngram_size",
    "repetition_penalty",  "eos_token_id",         "pad_token_id",   "bos_token_id",   "decoder_start_token_id",
    "forced_bos_token_id", "forced_eos_token_id"};

/// An id field that may be an int or a list of ints (eos_token_id, forced_eos_token_id).
void read_ids(const nlohmann::json& j, const char* key, std::vector<int64_t>& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  out.clear();
  if (it->is_null()) return;
  if (it->is_number_integer()) {
    out.push_back(it->get<int64_t>());
    return;
  }
  AFINAR_CHECK(it->is_array(), "generation config: '", key, "' must be an int or a list of ints, got ", it->dump());
  for (const auto& v : *it) {
    AFINAR_CHECK(v.is_number_integer(), "generation config: '", key, "' must hold ints, got ", it->dump());
    out.push_back(v.get<int64_t>());
  }
}

nlohmann::json ids_json(const std::vector<int64_t>& ids) {
  if (ids.empty()) return nullptr;
  if (ids.size() == 1) return ids[0];
  return ids;
}

nlohmann::json opt_json(const std::optional<int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

GenerationConfig GenerationConfig::from_json(const nlohmann::json& j) {
  AFINAR_CHECK(j.is_object(), "generation config must be a JSON object");
  GenerationConfig c;
  read(j, "max_length", c.max_length);
  read(j, "max_new_tokens", c.max_new_tokens);
  read(j, "min_length", c.min_length);
  read(j, "min_new_tokens", c.min_new_tokens);
  read(j, "do_sample", c.do_sample);
  read(j, "num_beams", c.num_beams);
  read(j, "num_return_sequences", c.num_return_sequences);
  read(j, "length_penalty", c.length_penalty);
  if (auto it = j.find("early_stopping"); it != j.end() && !it->is_null()) {
    if (it->is_boolean())
      c.early_stopping = it->get<bool>() ? EarlyStopping::True : EarlyStopping::False;
    else if (*it == "never")
      c.early_stopping = EarlyStopping::Never;
    else
      throw InvalidArgument("generation config: early_stopping must be true, false or \"never\", got " + it->dump());
  }
  read(j, "no_repeat_ngram_size", c.no_repeat_ngram_size);
  read(j, "repetition_penalty", c.repetition_penalty);
  read_ids(j, "eos_token_id", c.eos_token_id);
  read(j, "pad_token_id", c.pad_token_id);
  read(j, "bos_token_id", c.bos_token_id);
  read(j, "decoder_start_token_id", c.decoder_start_token_id);
  read(j, "forced_bos_token_id", c.forced_bos_token_id);
  read_ids(j, "forced_eos_token_id", c.forced_eos_token_id);
  for (const auto& [k, v] : j.items())
    if (std::find(std::begin(kFields), std::end(kFields), k) == std::end(kFields)) c.extra[k] = v;
  AFINAR_CHECK(c.num_beams >= 1, "generation config: num_beams must be >= 1, got ", c.num_beams);
  AFINAR_CHECK(c.num_return_sequences >= 1, "generation config: num_return_sequences must be >= 1, got ",
               c.num_return_sequences);
  return c;
}

GenerationConfig GenerationConfig::from_model_config(const nlohmann::json& config) {
  AFINAR_CHECK(config.is_object(), "config.json must be a JSON object");
  nlohmann::json j = nlohmann::json::object();
  for (const char* k : kFields)  // nulls are dropped so that the defaults hold, as transformers
    if (auto it = config.find(k); it != config.end() && !it->is_null()) j[k] = *it;
  return from_json(j);
}

GenerationConfig GenerationConfig::from_pretrained(const std::string& folder) {
  fs::path dir = fs::is_directory(folder) ? fs::path(folder) : hub::resolve_repo(folder);
  auto parse = [](const fs::path& p) {
    try {
      return nlohmann::json::parse(read_file(p));
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(detail::concat(p.string(), ": not valid JSON: ", e.what()));
    }
  };
  if (fs::exists(dir / "generation_config.json")) return from_json(parse(dir / "generation_config.json"));
  return from_model_config(parse(dir / "config.json"));
}

nlohmann::json GenerationConfig::to_json() const {
  nlohmann::json j = extra;
  if (max_length) j["max_length"] = *max_length;
  if (max_new_tokens) j["max_new_tokens"] = *max_new_tokens;
  if (min_length) j["min_length"] = min_length;
  if (min_new_tokens) j["min_new_tokens"] = *min_new_tokens;
  j["do_sample"] = do_sample;
  j["num_beams"] = num_beams;
  j["num_return_sequences"] = num_return_sequences;
  j["length_penalty"] = length_penalty;
  j["early_stopping"] = early_stopping == EarlyStopping::Never ? nlohmann::json("never")
                                                               : nlohmann::json(early_stopping == EarlyStopping::True);
  if (no_repeat_ngram_size) j["no_repeat_ngram_size"] = no_repeat_ngram_size;
  if (repetition_penalty != 1.0) j["repetition_penalty"] = repetition_penalty;
  j["eos_token_id"] = ids_json(eos_token_id);
  j["pad_token_id"] = opt_json(pad_token_id);
  j["bos_token_id"] = opt_json(bos_token_id);
  j["decoder_start_token_id"] = opt_json(decoder_start_token_id);
  if (forced_bos_token_id) j["forced_bos_token_id"] = *forced_bos_token_id;
  if (!forced_eos_token_id.empty()) j["forced_eos_token_id"] = ids_json(forced_eos_token_id);
  return j;
}

}  // namespace afinar
