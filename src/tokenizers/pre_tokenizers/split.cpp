#include "afinar/tokenizers/pre_tokenizers/split.h"

namespace afinar::tokenizers {

void SplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  split_by(
      s, [this](std::string_view word, auto& out) { pattern_.find_matches(word, out); }, behavior_, invert_);
}

void CharDelimiterSplit::pre_tokenize(PreTokenizedString& s) const {
  char32_t d = delimiter_;
  split_by(
      s, [d](std::string_view word, auto& out) { find_char_matches(word, [d](char32_t c) { return c == d; }, out); },
      SplitBehavior::Removed);
}

void Punctuation::pre_tokenize(PreTokenizedString& s) const {
  split_by(
      s, [](std::string_view word, auto& out) { find_char_matches(word, is_punctuation, out); }, behavior_);
}

void Digits::pre_tokenize(PreTokenizedString& s) const {
  split_by(
      s, [](std::string_view word, auto& out) { find_char_matches(word, is_numeric, out); },
      individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
}

}  // namespace afinar::tokenizers
