#include "afinar/tokenizers/decoders/decoder.h"

#include "../json_util.h"
#include "afinar/tokenizers/decoders/wordpiece.h"

namespace afinar::tokenizers {

std::shared_ptr<const Decoder> make_decoder(const nlohmann::json& j, const std::string& origin) {
  using namespace json_util;
  std::string type = type_of(j, origin, "decoder");
  if (type == "WordPiece")
    return std::make_shared<WordPieceDecoder>(get_or<std::string>(j, "prefix", "##", origin, "decoder"),
                                              get_or(j, "cleanup", true, origin, "decoder"));
  AFINAR_NOT_IMPLEMENTED("decoder type \"", type, "\" in ", origin, " (supported: WordPiece)");
}

}  // namespace afinar::tokenizers
