/// Precompiled: sentencepiece's normalization rules compiled into tokenizer.json's base64
/// "precompiled_charsmap" (T5, ALBERT, XLM-R): a double-array trie (darts-clone) over UTF-8
/// byte strings whose values index a blob of NUL-terminated replacements.
///
/// As HF (and sentencepiece), a grapheme cluster shorter than 6 bytes is looked up whole first;
/// otherwise, or without a hit, each of its chars is looked up alone. The lookup takes the
/// shortest prefix in the trie.
///   "ｆｕｌｌ" → "full", "ﬁ" → "fi"
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/tokenizers/normalizers/normalizer.h"

namespace afinar::tokenizers {

class Precompiled : public Normalizer {
 public:
  /// `charsmap` is the decoded (binary) precompiled_charsmap; FormatError when malformed.
  explicit Precompiled(std::string charsmap);
  static std::string base64_decode(std::string_view b64);

  void normalize(NormalizedString& s) const override;
  /// The replacement of `chunk` (shortest trie prefix of its bytes), or nullopt.
  std::optional<std::string_view> transform(std::string_view chunk) const;

 private:
  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace afinar::tokenizers
