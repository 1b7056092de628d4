/// Decoders: tokens back to text. `make_decoder` dispatches on tokenizer.json's "type".
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace afinar::tokenizers {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::string decode(const std::vector<std::string>& tokens) const = 0;
};

std::shared_ptr<const Decoder> make_decoder(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
