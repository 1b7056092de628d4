#include "afinar/tokenizers/normalizers/precompiled.h"

#include <cstring>

#include <utf8proc.h>

#include "afinar/core/check.h"

namespace afinar::tokenizers {

std::string Precompiled::base64_decode(std::string_view b64) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(b64.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = value(c);
    AFINAR_CHECK_FORMAT(v >= 0, "precompiled_charsmap is not base64 (byte ", static_cast<int>(static_cast<unsigned char>(c)),
                        ")");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

Precompiled::Precompiled(std::string charsmap) {
  AFINAR_CHECK_FORMAT(charsmap.size() >= 4, "precompiled_charsmap too short (", charsmap.size(), " bytes)");
  uint32_t trie_bytes;
  std::memcpy(&trie_bytes, charsmap.data(), 4);  // little-endian, as every supported host
  AFINAR_CHECK_FORMAT(trie_bytes % 4 == 0 && 4 + static_cast<size_t>(trie_bytes) <= charsmap.size(),
                      "precompiled_charsmap: trie size ", trie_bytes, " does not fit its ", charsmap.size(), " bytes");
  trie_.resize(trie_bytes / 4);
  std::memcpy(trie_.data(), charsmap.data() + 4, trie_bytes);
  normalized_ = charsmap.substr(4 + trie_bytes);
  AFINAR_CHECK_FORMAT(!trie_.empty(), "precompiled_charsmap has an empty trie");
}

std::optional<std::string_view> Precompiled::transform(std::string_view chunk) const {
  // darts-clone units: label in the low byte (+ bit 31), leaf flag bit 8, offset in the top bits.
  auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  auto label = [](uint32_t u) { return u & ((1u << 31) | 0xFF); };
  auto has_leaf = [](uint32_t u) { return ((u >> 8) & 1) == 1; };
  auto value = [](uint32_t u) { return u & ((1u << 31) - 1); };
  size_t pos = 0;
  uint32_t unit = trie_[0];
  pos ^= offset(unit);
  for (char ch : chunk) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    pos ^= c;
    if (pos >= trie_.size()) return std::nullopt;
    unit = trie_[pos];
    if (label(unit) != c) return std::nullopt;
    pos ^= offset(unit);
    if (pos >= trie_.size()) return std::nullopt;
    if (has_leaf(unit)) {
      uint32_t v = value(trie_[pos]);
      if (v >= normalized_.size()) return std::nullopt;
      size_t end = normalized_.find('\0', v);
      if (end == std::string::npos) end = normalized_.size();
      return std::string_view(normalized_).substr(v, end - v);
    }
  }
  return std::nullopt;
}

void Precompiled::normalize(NormalizedString& s) const {
  const std::string& t = s.get();
  thread_local std::vector<std::pair<char32_t, int>> dest;
  dest.clear();
  bool modified = false;
  // HF's `replace`: new chars replace old ones one for one; extra new ones are insertions,
  // missing ones are removals charged to the last new char.
  auto replace = [&](std::string_view old_part, std::string_view new_part) {
    modified = true;
    long old_count = 0, new_count = 0;
    for (size_t i = 0; i < old_part.size(); ++old_count) next_char(old_part, i);
    for (size_t i = 0; i < new_part.size(); ++new_count) dest.emplace_back(next_char(new_part, i), 0);
    long diff = new_count - old_count;
    if (diff > 0) {
      for (size_t k = dest.size() - static_cast<size_t>(diff); k < dest.size(); ++k) dest[k].second = 1;
    } else if (diff < 0 && !dest.empty()) {
      dest.back().second += static_cast<int>(diff);
    }
  };
  size_t i = 0;
  while (i < t.size()) {
    // One extended grapheme cluster: [g, i).
    size_t g = i;
    utf8proc_int32_t state = 0;
    char32_t prev = next_char(t, i);
    while (i < t.size()) {
      size_t j = i;
      char32_t c = next_char(t, j);
      if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c),
                                           &state))
        break;
      prev = c;
      i = j;
    }
    std::string_view grapheme(t.data() + g, i - g);
    if (grapheme.size() < 6) {
      if (auto norm = transform(grapheme)) {
        replace(grapheme, *norm);
        continue;
      }
    }
    size_t k = 0;
    while (k < grapheme.size()) {
      size_t b = k;
      char32_t c = next_char(grapheme, k);
      std::string_view part = grapheme.substr(b, k - b);
      if (auto norm = transform(part))
        replace(part, *norm);
      else
        dest.emplace_back(c, 0);
    }
  }
  if (modified) s.transform(dest, 0);
}

}  // namespace afinar::tokenizers
