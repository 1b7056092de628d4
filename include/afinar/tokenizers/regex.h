/// Oniguruma regular expressions (the engine HF tokenizers uses, so patterns such as GPT-2's
/// `\p{L}` classes and look-aheads behave the same), and HF's `Pattern::find_matches`:
/// the text cut into consecutive (range, is_match) pieces.
///
///   Regex re("\\s+");
///   std::vector<PatternMatch> m; re.find_matches("a  b", m);  // [a) [  ) [b)
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace afinar::tokenizers {

struct PatternMatch {
  uint32_t start, end;
  bool is_match;
};

class Regex {
 public:
  /// Throws InvalidArgument with Oniguruma's message on a bad pattern.
  explicit Regex(const std::string& pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// Appends the pieces of `text` (HF's find_matches: an empty text gives one empty non-match).
  void find_matches(std::string_view text, std::vector<PatternMatch>& out) const;
  /// Regex that matches `literal` exactly (HF turns String patterns into escaped regexes).
  static std::string escape(std::string_view literal);
  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string pattern_;
};

/// find_matches for a character predicate: every matching char is its own match.
template <typename Pred>
void find_char_matches(std::string_view text, Pred&& pred, std::vector<PatternMatch>& out);

/// HF's SplitDelimiterBehavior.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
/// Parses "Removed", "Isolated", … (InvalidArgument naming the accepted values otherwise).
SplitBehavior parse_split_behavior(const std::string& s);

/// Applies `behavior` to the pieces (in place); afterwards every piece with is_match true is to be
/// dropped, the others kept as splits.
void apply_behavior(std::vector<PatternMatch>& pieces, SplitBehavior behavior);

}  // namespace afinar::tokenizers

#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

template <typename Pred>
void find_char_matches(std::string_view text, Pred&& pred, std::vector<PatternMatch>& out) {
  if (text.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  uint32_t last = 0;
  size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<uint32_t>(i);
    char32_t c = next_char(text, i);
    if (!pred(c)) continue;
    if (last < b) out.push_back({last, b, false});
    out.push_back({b, static_cast<uint32_t>(i), true});
    last = static_cast<uint32_t>(i);
  }
  if (last < text.size()) out.push_back({last, static_cast<uint32_t>(text.size()), false});
}

}  // namespace afinar::tokenizers
