/// Added tokens (tokenizer.json "added_tokens"): found in the text before the model runs, so
/// "[MASK]" in a sentence stays one token. Tokens with normalized=false are matched in the raw
/// text before normalization (BERT's special tokens); the others in the normalized text.
/// Matching is leftmost-longest, as HF's Aho-Corasick.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "afinar/tokenizers/normalized_string.h"

namespace afinar::tokenizers {

class Normalizer;

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
};

/// A match: bytes [start, end) of the searched text (lstrip/rstrip whitespace included).
struct AddedMatch {
  uint32_t start, end;
  int32_t id;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  std::optional<int32_t> token_to_id(std::string_view t) const;
  const std::string* id_to_token(int32_t id) const;
  bool is_special(int32_t id) const;
  bool has_normalized() const { return !normalized_.patterns.empty(); }

  /// Matches of the raw-text tokens in `text` (appended to `out`, in order).
  void find_raw(std::string_view text, std::vector<AddedMatch>& out) const { find(raw_, text, out); }
  /// Matches of the normalized tokens in normalized text.
  void find_normalized(std::string_view text, std::vector<AddedMatch>& out) const {
    find(normalized_, text, out);
  }

 private:
  struct Matcher {
    std::vector<std::pair<std::string, size_t>> patterns;  // (pattern, index into tokens_)
    bool first_byte[256] = {};
  };
  void find(const Matcher& m, std::string_view text, std::vector<AddedMatch>& out) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<int32_t, size_t> by_id_;
  Matcher raw_, normalized_;
};

}  // namespace afinar::tokenizers
