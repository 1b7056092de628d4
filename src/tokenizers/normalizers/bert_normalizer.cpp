#include "afinar/tokenizers/normalizers/bert_normalizer.h"

#include <utf8proc.h>

#include <algorithm>

#include "afinar/tokenizers/unicode.h"

namespace afinar::tokenizers {

// One pass applying HF's four steps in their order (clean_text, chinese chars, strip accents,
// lowercase) to each character. Per-character is exact: every step maps one character to
// characters aligned with it, and NFD's reordering only moves marks that stripping drops.
void BertNormalizer::normalize(NormalizedString& s) const {
  const std::string& in = s.get();
  // ASCII without characters to drop (NUL, controls other than \t \n \r): every character
  // maps to one character, in place.
  if (is_ascii(in) && (!o_.clean_text || std::none_of(in.begin(), in.end(), [](char b) {
        return b == 0 || is_control(static_cast<unsigned char>(b));
      }))) {
    const bool clean = o_.clean_text, lower = o_.lowercase;
    s.map_ascii_in_place([clean, lower](char b) {
      if (clean && is_whitespace(static_cast<unsigned char>(b))) b = ' ';
      if (lower && b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
      return b;
    });
    return;
  }
  const auto& align = s.alignments();
  s.begin_rebuild();
  auto lower_emit = [&](char32_t c, Range r) {
    if (!o_.lowercase) return s.emit(c, r);
    char32_t low[2];
    int n = to_lowercase(c, low);
    for (int k = 0; k < n; ++k) s.emit(low[k], r);
  };
  size_t i = 0;
  while (i < in.size()) {
    Range r = align[i];
    char32_t c = next_char(in, i);
    if (c < 0x80) {  // ASCII fast path: no accents, no CJK
      if (o_.clean_text) {
        if (c == 0 || is_control(c)) continue;
        if (is_whitespace(c)) c = ' ';
      }
      if (o_.lowercase && c >= 'A' && c <= 'Z') c += 32;
      s.emit(c, r);
      continue;
    }
    if (o_.clean_text) {
      if (c == 0xFFFD || is_control(c)) continue;
      if (is_whitespace(c)) c = ' ';
    }
    bool cjk = o_.handle_chinese_chars && is_chinese_char(c);
    if (cjk) s.emit(' ', r);
    if (strip_) {
      utf8proc_int32_t buf[8];
      int last = 0;
      auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 8, UTF8PROC_DECOMPOSE, &last);
      if (n < 0 || n > 8) {
        lower_emit(c, r);
      } else {
        for (int k = 0; k < n; ++k) {
          auto d = static_cast<char32_t>(buf[k]);
          if (!is_combining_mark(d)) lower_emit(d, r);
        }
      }
    } else {
      lower_emit(c, r);
    }
    if (cjk) s.emit(' ', r);
  }
  s.commit();
}

}  // namespace afinar::tokenizers
