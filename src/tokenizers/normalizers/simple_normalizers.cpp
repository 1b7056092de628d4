#include "afinar/tokenizers/normalizers/simple_normalizers.h"

#include "afinar/tokenizers/byte_level.h"

namespace afinar::tokenizers {

void Strip::normalize(NormalizedString& s) const {
  const std::string& t = s.get();
  size_t b = 0, e = t.size();
  if (left_) {
    while (b < e) {
      size_t i = b;
      if (!is_whitespace(next_char(t, i))) break;
      b = i;
    }
  }
  if (right_) {
    while (e > b) {
      size_t i = e - 1;
      while (i > b && (static_cast<unsigned char>(t[i]) & 0xC0) == 0x80) --i;
      size_t j = i;
      if (!is_whitespace(next_char(t, j))) break;
      e = i;
    }
  }
  if (b == 0 && e == t.size()) return;
  s.begin_rebuild();
  const auto& al = s.alignments();
  size_t i = b;
  while (i < e) {
    Range r = al[i];
    s.emit(next_char(t, i), r);
  }
  s.commit();
}

void Prepend::normalize(NormalizedString& s) const {
  if (s.empty() || prepend_.empty()) return;
  // Every prepended char aligns with the first char, as HF's prepend.
  const std::string& t = s.get();
  const auto& al = s.alignments();
  Range first = al[0];
  s.begin_rebuild();
  size_t i = 0;
  while (i < prepend_.size()) s.emit(next_char(prepend_, i), first);
  size_t k = 0;
  while (k < t.size()) {
    Range r = al[k];
    s.emit(next_char(t, k), r);
  }
  s.commit();
}

Pattern Pattern::literal(std::string s) {
  Pattern p;
  p.literal_ = std::move(s);
  if (p.literal_.empty()) p.regex_ = std::make_shared<const Regex>("");
  return p;
}

Pattern Pattern::regex(const std::string& re) {
  Pattern p;
  p.regex_ = std::make_shared<const Regex>(re);
  return p;
}

void Pattern::find_matches(std::string_view text, std::vector<PatternMatch>& out) const {
  if (regex_) return regex_->find_matches(text, out);
  if (text.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  size_t prev = 0;
  for (size_t pos = text.find(literal_); pos != std::string_view::npos; pos = text.find(literal_, pos)) {
    if (pos != prev) out.push_back({static_cast<uint32_t>(prev), static_cast<uint32_t>(pos), false});
    pos += literal_.size();
    out.push_back({static_cast<uint32_t>(pos - literal_.size()), static_cast<uint32_t>(pos), true});
    prev = pos;
  }
  if (prev != text.size()) out.push_back({static_cast<uint32_t>(prev), static_cast<uint32_t>(text.size()), false});
}

void Replace::normalize(NormalizedString& s) const {
  thread_local std::vector<PatternMatch> m;
  m.clear();
  pattern_.find_matches(s.get(), m);
  bool any = false;
  for (const auto& p : m) any |= p.is_match;
  if (!any) return;
  const std::string& t = s.get();
  const auto& al = s.alignments();
  s.begin_rebuild();
  for (const auto& p : m) {
    if (!p.is_match) {
      size_t i = p.start;
      while (i < p.end) {
        Range r = al[i];
        s.emit(next_char(t, i), r);
      }
      continue;
    }
    // HF inserts the content after removing the match: it aligns with the match's last byte.
    Range r = p.end > 0 ? al[p.end - 1] : Range{0, 0};
    size_t i = 0;
    while (i < content_.size()) s.emit(next_char(content_, i), r);
  }
  s.commit();
}

void ByteLevelNormalizer::normalize(NormalizedString& s) const {
  const std::string& t = s.get();
  const auto& al = s.alignments();
  s.begin_rebuild();
  for (size_t i = 0; i < t.size(); ++i) s.emit(byte_to_char(static_cast<uint8_t>(t[i])), al[i]);
  s.commit();
}

}  // namespace afinar::tokenizers
