/// ByteLevel (GPT-2): optionally a space before each split, then GPT-2's regex
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (use_regex), then
/// every UTF-8 byte becomes its printable char.
///   "Hello world" → ["Hello", "Ġworld"]
#pragma once
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::tokenizers {

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  bool add_prefix_space_, use_regex_;
};

/// The GPT-2 regex's pieces of `text` (a hand-written matcher, equal to Oniguruma's).
void gpt2_find_matches(std::string_view text, std::vector<PatternMatch>& out);

}  // namespace afinar::tokenizers
