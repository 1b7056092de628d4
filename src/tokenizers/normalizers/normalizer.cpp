#include "afinar/tokenizers/normalizers/normalizer.h"

#include "../json_util.h"
#include "afinar/tokenizers/normalizers/bert_normalizer.h"
#include "afinar/tokenizers/normalizers/precompiled.h"
#include "afinar/tokenizers/normalizers/simple_normalizers.h"
#include "afinar/tokenizers/normalizers/sequence.h"
#include "afinar/tokenizers/normalizers/unicode_normalizers.h"

namespace afinar::tokenizers {

Pattern parse_pattern(const nlohmann::json& j, const std::string& origin, const char* where);

std::shared_ptr<const Normalizer> make_normalizer(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "normalizer";
  std::string type = type_of(j, origin, where);
  if (type == "BertNormalizer") {
    BertNormalizerOptions o;
    o.clean_text = get_or(j, "clean_text", true, origin, where);
    o.handle_chinese_chars = get_or(j, "handle_chinese_chars", true, origin, where);
    if (j.contains("strip_accents") && !j["strip_accents"].is_null()) o.strip_accents = get<bool>(j, "strip_accents", origin, where);
    o.lowercase = get_or(j, "lowercase", true, origin, where);
    return std::make_shared<BertNormalizer>(o);
  }
  if (type == "Lowercase") return std::make_shared<Lowercase>();
  if (type == "StripAccents") return std::make_shared<StripAccents>();
  if (type == "NFD") return std::make_shared<UnicodeNormalizer>(UnicodeForm::NFD);
  if (type == "NFKD") return std::make_shared<UnicodeNormalizer>(UnicodeForm::NFKD);
  if (type == "NFC") return std::make_shared<UnicodeNormalizer>(UnicodeForm::NFC);
  if (type == "NFKC") return std::make_shared<UnicodeNormalizer>(UnicodeForm::NFKC);
  if (type == "Strip")
    return std::make_shared<Strip>(get_or(j, "strip_left", true, origin, where),
                                   get_or(j, "strip_right", true, origin, where));
  if (type == "Prepend") return std::make_shared<Prepend>(get<std::string>(j, "prepend", origin, where));
  if (type == "Replace")
    return std::make_shared<Replace>(parse_pattern(get<json>(j, "pattern", origin, where), origin, where),
                                     get<std::string>(j, "content", origin, where));
  if (type == "ByteLevel") return std::make_shared<ByteLevelNormalizer>();
  if (type == "Precompiled") {
    auto map = get_or<json>(j, "precompiled_charsmap", json(), origin, where);
    // Files from sentencepiece models without rules carry null: no normalization then.
    if (map.is_null()) return std::make_shared<NormalizerSequence>(std::vector<std::shared_ptr<const Normalizer>>{});
    AFINAR_CHECK_FORMAT(map.is_string(), origin, ": normalizer.precompiled_charsmap must be a base64 string");
    try {
      return std::make_shared<Precompiled>(Precompiled::base64_decode(map.get<std::string>()));
    } catch (const FormatError& e) {
      throw FormatError(origin + ": normalizer " + e.what());
    }
  }
  if (type == "Sequence") {
    auto arr = get<json>(j, "normalizers", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": normalizer.normalizers must be an array");
    std::vector<std::shared_ptr<const Normalizer>> parts;
    for (const auto& p : arr) parts.push_back(make_normalizer(p, origin));
    return std::make_shared<NormalizerSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("normalizer type \"", type, "\" in ", origin,
                         " (supported: BertNormalizer, Lowercase, StripAccents, NFD, NFKD, NFC, NFKC, Strip, Prepend, Replace, "
                         "ByteLevel, Precompiled, Sequence)");
}

}  // namespace afinar::tokenizers
