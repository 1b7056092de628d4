#include "afinar/tokenizers/normalizers/normalizer.h"

#include "../json_util.h"
#include "afinar/tokenizers/normalizers/bert_normalizer.h"
#include "afinar/tokenizers/normalizers/sequence.h"
#include "afinar/tokenizers/normalizers/unicode_normalizers.h"

namespace afinar::tokenizers {

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
  if (type == "Sequence") {
    auto arr = get<json>(j, "normalizers", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": normalizer.normalizers must be an array");
    std::vector<std::shared_ptr<const Normalizer>> parts;
    for (const auto& p : arr) parts.push_back(make_normalizer(p, origin));
    return std::make_shared<NormalizerSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("normalizer type \"", type, "\" in ", origin,
                         " (supported: BertNormalizer, Lowercase, StripAccents, NFD, NFKD, NFC, NFKC, Sequence)");
}

}  // namespace afinar::tokenizers
