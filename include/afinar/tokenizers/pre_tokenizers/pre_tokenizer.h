/// Pre-tokenizers: split the normalized text into words (PreTokenizedString splits); the model
/// then tokenizes each word. `make_pre_tokenizer` dispatches on tokenizer.json's "type".
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "afinar/tokenizers/normalized_string.h"
#include "afinar/tokenizers/regex.h"

namespace afinar::tokenizers {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

/// Splits every undecided split at the pieces `find(word, pieces)` reports (HF's
/// NormalizedString::split with `behavior`); `invert` swaps matches and non-matches first.
template <typename Find>
void split_by(PreTokenizedString& s, Find&& find, SplitBehavior behavior, bool invert = false) {
  thread_local std::vector<PatternMatch> pieces;
  s.split([&](std::string_view word, auto push) {
    pieces.clear();
    find(word, pieces);
    if (invert)
      for (auto& p : pieces) p.is_match = !p.is_match;
    apply_behavior(pieces, behavior);
    for (const auto& p : pieces)
      if (!p.is_match) push(p.start, p.end);
  });
}

/// Throws NotImplemented naming an unsupported "type", FormatError on bad fields.
std::shared_ptr<const PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& origin);

}  // namespace afinar::tokenizers
