/// Decoders: tokens back to text. `make_decoder` dispatches on tokenizer.json's "type".
///
/// As HF, a decoder maps the token list to a new list (decode_chain), so that a Sequence can
/// chain them; decode() joins the final list.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace afinar::tokenizers {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
  std::string decode(const std::vector<std::string>& tokens) const {
    std::string out;
    for (const auto& t : decode_chain(tokens)) out += t;
    return out;
  }
};

std::shared_ptr<const Decoder> make_decoder(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
