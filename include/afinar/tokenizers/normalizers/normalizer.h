/// Normalizers: the first stage, which rewrites the text (lowercase, strip accents, …) while
/// keeping each byte's alignment with the original. `make_normalizer` dispatches on the
/// tokenizer.json "type" field.
///
///   auto n = make_normalizer(json["normalizer"], "tokenizer.json");
///   NormalizedString s; s.reset(text, 0, text.size()); n->normalize(s);
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "afinar/tokenizers/normalized_string.h"

namespace afinar::tokenizers {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

/// Builds the normalizer a tokenizer.json "normalizer" object describes. Throws NotImplemented
/// naming an unsupported "type" (and listing the supported ones), FormatError on bad fields.
std::shared_ptr<const Normalizer> make_normalizer(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
