#include "afinar/tokenizers/decoders/decoder.h"

#include "../json_util.h"
#include "afinar/tokenizers/decoders/decoders.h"
#include "afinar/tokenizers/decoders/wordpiece.h"

namespace afinar::tokenizers {

Pattern parse_pattern(const nlohmann::json& j, const std::string& origin, const char* where);

namespace {
char32_t one_char(const std::string& s, const std::string& origin, const char* field) {
  size_t i = 0;
  AFINAR_CHECK_FORMAT(!s.empty(), origin, ": decoder.", field, " must be one character");
  char32_t c = next_char(s, i);
  AFINAR_CHECK_FORMAT(i == s.size(), origin, ": decoder.", field, " must be one character, got \"", s, "\"");
  return c;
}
}  // namespace

std::shared_ptr<const Decoder> make_decoder(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  const char* where = "decoder";
  std::string type = type_of(j, origin, where);
  if (type == "WordPiece")
    return std::make_shared<WordPieceDecoder>(get_or<std::string>(j, "prefix", "##", origin, where),
                                              get_or(j, "cleanup", true, origin, where));
  if (type == "ByteLevel") return std::make_shared<ByteLevelDecoder>();
  if (type == "Metaspace") {
    bool prepend = true;
    if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null())
      prepend = get<std::string>(j, "prepend_scheme", origin, where) != "never";
    else if (j.contains("add_prefix_space") && !j["add_prefix_space"].is_null())
      prepend = get<bool>(j, "add_prefix_space", origin, where);
    return std::make_shared<MetaspaceDecoder>(
        one_char(get_or<std::string>(j, "replacement", "\u2581", origin, where), origin, "replacement"), prepend);
  }
  if (type == "BPEDecoder") return std::make_shared<BPEDecoder>(get_or<std::string>(j, "suffix", "</w>", origin, where));
  if (type == "ByteFallback") return std::make_shared<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_shared<FuseDecoder>();
  if (type == "Strip")
    return std::make_shared<StripDecoder>(one_char(get<std::string>(j, "content", origin, where), origin, "content"),
                                          get_or<size_t>(j, "start", 0, origin, where),
                                          get_or<size_t>(j, "stop", 0, origin, where));
  if (type == "Replace")
    return std::make_shared<ReplaceDecoder>(parse_pattern(get<json>(j, "pattern", origin, where), origin, where),
                                            get<std::string>(j, "content", origin, where));
  if (type == "CTC")
    return std::make_shared<CTCDecoder>(get_or<std::string>(j, "pad_token", "<pad>", origin, where),
                                        get_or<std::string>(j, "word_delimiter_token", "|", origin, where),
                                        get_or(j, "cleanup", true, origin, where));
  if (type == "Sequence") {
    auto arr = get<json>(j, "decoders", origin, where);
    AFINAR_CHECK_FORMAT(arr.is_array(), origin, ": decoder.decoders must be an array");
    std::vector<std::shared_ptr<const Decoder>> parts;
    for (const auto& p : arr) parts.push_back(make_decoder(p, origin));
    return std::make_shared<DecoderSequence>(std::move(parts));
  }
  AFINAR_NOT_IMPLEMENTED("decoder type \"", type, "\" in ", origin,
                         " (supported: WordPiece, ByteLevel, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, "
                         "Replace, CTC, Sequence)");
}

}  // namespace afinar::tokenizers
