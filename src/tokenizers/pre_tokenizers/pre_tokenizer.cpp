#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

#include "../json_util.h"
#include "afinar/tokenizers/pre_tokenizers/bert_pre_tokenizer.h"
#include "afinar/tokenizers/pre_tokenizers/byte_level.h"
#include "afinar/tokenizers/pre_tokenizers/metaspace.h"
#include "afinar/tokenizers/pre_tokenizers/sequence.h"
#include "afinar/tokenizers/pre_tokenizers/split.h"
#include "afinar/tokenizers/pre_tokenizers/unicode_scripts.h"
#include "afinar/tokenizers/pre_tokenizers/whitespace.h"

namespace afinar::tokenizers {

/// A tokenizer.json pattern object: {"String": "…"} or {"Regex": "…"}.
Pattern parse_pattern(const nlohmann::json& j, const std::string& origin, const char* where) {
  AFINAR_CHECK_FORMAT(j.is_object() && (j.contains("String") || j.contains("Regex")), origin, ": ", where,
                      ".pattern must be {\"String\": …} or {\"Regex\": …}, got ", j.dump());
  try {
    if (j.contains("String")) return Pattern::literal(j["String"].get<std::string>());
    return Pattern::regex(j["Regex"].get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(origin, ": ", where, ".pattern is not a string (", e.what(), ")"));
  } catch (const InvalidArgument& e) {
    throw FormatError(detail::concat(origin, ": ", where, ": ", e.what()));
  }
}

namespace {

char32_t single_char(const std::string& s, const std::string& origin, const char* where) {
  size_t i = 0;
  AFINAR_CHECK_FORMAT(!s.empty(), origin, ": ", where, " must be one character, got an empty string");
  char32_t c = next_char(s, i);
  AFINAR_CHECK_FORMAT(i == s.size(), origin, ": ", where, " must be one character, got \"", s, "\"");
  return c;
}

SplitBehavior behavior(const nlohmann::json& j, const char* fallback, const std::string& origin, const char* where) {
  try {
    return parse_split_behavior(json_util::get_or<std::string>(j, "behavior", fallback, origin, where));
  } catch (const InvalidArgument& e) {
    throw FormatError(detail::concat(origin, ": ", where, ": ", e.what()));
  }
}

}  // namespace

std::shared_ptr<const PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "pre_tokenizer";
  std::string type = type_of(j, origin, where);
  if (type == "BertPreTokenizer") return std::make_shared<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_shared<Whitespace>();
  if (type == "WhitespaceSplit") return std::make_shared<WhitespaceSplit>();
  if (type == "ByteLevel")
    return std::make_shared<ByteLevelPreTokenizer>(get_or(j, "add_prefix_space", true, origin, where),
                                                   get_or(j, "use_regex", true, origin, where));
  if (type == "Metaspace") {
    char32_t rep = single_char(get_or<std::string>(j, "replacement", "\u2581", origin, where), origin,
                               "pre_tokenizer.replacement");
    PrependScheme scheme = PrependScheme::Always;
    if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
      try {
        scheme = parse_prepend_scheme(get<std::string>(j, "prepend_scheme", origin, where));
      } catch (const InvalidArgument& e) {
        throw FormatError(origin + ": " + e.what());
      }
    } else if (j.contains("add_prefix_space") && !j["add_prefix_space"].is_null()) {
      scheme = get<bool>(j, "add_prefix_space", origin, where) ? PrependScheme::Always : PrependScheme::Never;
    }
    return std::make_shared<Metaspace>(rep, scheme, get_or(j, "split", true, origin, where));
  }
  if (type == "Split")
    return std::make_shared<SplitPreTokenizer>(parse_pattern(get<json>(j, "pattern", origin, where), origin, where),
                                               behavior(j, "Removed", origin, where),
                                               get_or(j, "invert", false, origin, where));
  if (type == "CharDelimiterSplit")
    return std::make_shared<CharDelimiterSplit>(
        single_char(get<std::string>(j, "delimiter", origin, where), origin, "pre_tokenizer.delimiter"));
  if (type == "Punctuation") return std::make_shared<Punctuation>(behavior(j, "Isolated", origin, where));
  if (type == "Digits") return std::make_shared<Digits>(get_or(j, "individual_digits", false, origin, where));
  if (type == "UnicodeScripts") return std::make_shared<UnicodeScripts>();
  if (type == "Sequence") {
    auto arr = get<json>(j, "pretokenizers", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": pre_tokenizer.pretokenizers must be an array");
    std::vector<std::shared_ptr<const PreTokenizer>> parts;
    for (const auto& p : arr) parts.push_back(make_pre_tokenizer(p, origin));
    return std::make_shared<PreTokenizerSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("pre_tokenizer type \"", type, "\" in ", origin,
                         " (supported: BertPreTokenizer, Whitespace, WhitespaceSplit, ByteLevel, Metaspace, Split, "
                         "CharDelimiterSplit, Punctuation, Digits, UnicodeScripts, Sequence)");
}

}  // namespace afinar::tokenizers
