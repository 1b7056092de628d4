/// Pre-tokenizers: split the normalized text into words (PreTokenizedString splits); the model
/// then tokenizes each word. `make_pre_tokenizer` dispatches on tokenizer.json's "type".
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "afinar/tokenizers/normalized_string.h"

namespace afinar::tokenizers {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

/// Throws NotImplemented naming an unsupported "type", FormatError on bad fields.
std::shared_ptr<const PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
