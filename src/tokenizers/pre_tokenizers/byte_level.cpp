#include "afinar/tokenizers/pre_tokenizers/byte_level.h"

#include "afinar/tokenizers/byte_level.h"

namespace afinar::tokenizers {

namespace {

// Length of the GPT-2 regex match at `i` (never 0 on a non-empty rest).
size_t gpt2_match(std::string_view t, size_t i) {
  size_t n = t.size();
  if (t[i] == '\'' && i + 1 < n) {
    char a = t[i + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (i + 2 < n) {
      char b = t[i + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
  }
  size_t j = i + (t[i] == ' ' ? 1 : 0);
  if (j < n) {
    size_t k = j;
    char32_t c = next_char(t, k);
    auto run = [&](auto pred) {
      while (k < n) {
        size_t m = k;
        if (!pred(next_char(t, m))) break;
        k = m;
      }
      return k - i;
    };
    if (is_letter(c)) return run(is_letter);
    if (is_numeric(c)) return run(is_numeric);
    if (!is_whitespace(c))
      return run([](char32_t d) { return !is_whitespace(d) && !is_letter(d) && !is_numeric(d); });
  }
  // Whitespace: the run, less its last char when a non-space follows (`\s+(?!\S)`), or one char.
  size_t k = i, last = i;
  while (k < n) {
    size_t m = k;
    if (!is_whitespace(next_char(t, m))) break;
    last = k;
    k = m;
  }
  if (k == n) return k - i;
  if (last > i) return last - i;
  return k - i;
}

}  // namespace

void gpt2_find_matches(std::string_view text, std::vector<PatternMatch>& out) {
  if (text.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  for (size_t i = 0; i < text.size();) {
    size_t len = gpt2_match(text, i);
    out.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + len), true});
    i += len;
  }
}

void ByteLevelPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  if (add_prefix_space_) {
    s.transform([](std::string_view word, PreTokenizedString::Writer& w) {
      if (word[0] != ' ') w.emit(' ', 0);
      w.copy(0, static_cast<uint32_t>(word.size()));
    });
  }
  if (use_regex_) split_by(s, gpt2_find_matches, SplitBehavior::Isolated);
  s.transform([](std::string_view word, PreTokenizedString::Writer& w) {
    for (size_t k = 0; k < word.size(); ++k)
      w.emit_utf8(byte_to_char_utf8(static_cast<uint8_t>(word[k])), static_cast<uint32_t>(k));
  });
}

}  // namespace afinar::tokenizers
