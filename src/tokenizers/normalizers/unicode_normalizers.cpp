#include "afinar/tokenizers/normalizers/unicode_normalizers.h"

#include <algorithm>
#include <vector>

#include <utf8proc.h>

namespace afinar::tokenizers {

void Lowercase::normalize(NormalizedString& s) const {
  s.map_chars([](char32_t c, auto emit) {
    char32_t low[2];
    int n = to_lowercase(c, low);
    for (int k = 0; k < n; ++k) emit(low[k]);
  });
}

void StripAccents::normalize(NormalizedString& s) const {
  s.map_chars([](char32_t c, auto emit) {
    if (!is_combining_mark(c)) emit(c);
  });
}

namespace {

int combining_class(char32_t c) {
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

struct AlignedChar {
  char32_t c;
  Range r;
};

// Decomposes every character, then sorts runs of non-starters by combining class (stable), so the
// text is in canonical order; each character keeps the alignment of the one it came from.
std::vector<AlignedChar> decomposed(const NormalizedString& s, bool compat) {
  std::vector<AlignedChar> out;
  const std::string& in = s.get();
  out.reserve(in.size());
  int opts = UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0);
  size_t i = 0;
  while (i < in.size()) {
    Range r = s.alignments()[i];
    char32_t c = next_char(in, i);
    utf8proc_int32_t buf[32];
    int last = 0;
    auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 32, static_cast<utf8proc_option_t>(opts), &last);
    if (n < 0 || n > 32) {
      out.push_back({c, r});
      continue;
    }
    for (int k = 0; k < n; ++k) out.push_back({static_cast<char32_t>(buf[k]), r});
  }
  for (size_t a = 0; a < out.size();) {
    if (combining_class(out[a].c) == 0) {
      ++a;
      continue;
    }
    size_t b = a;
    while (b < out.size() && combining_class(out[b].c) != 0) ++b;
    std::stable_sort(out.begin() + a, out.begin() + b,
                     [](const AlignedChar& x, const AlignedChar& y) { return combining_class(x.c) < combining_class(y.c); });
    a = b;
  }
  return out;
}

}  // namespace

void decompose(NormalizedString& s, bool compat) {
  auto chars = decomposed(s, compat);
  s.begin_rebuild();
  for (const auto& ac : chars) s.emit(ac.c, ac.r);
  s.commit();
}

// HF runs unicode-normalization-alignments, which reports each output char with a change:
// decompositions insert (+1) their extra chars, reordering moves (char, change) pairs together,
// and composing b into starter a leaves a with change(a) + change(b) - 1. NormalizedString then
// aligns positionally (transform), so a composed char keeps only its starter's alignment.
void UnicodeNormalizer::normalize(NormalizedString& s) const {
  if (is_ascii(s.get())) return;  // every form leaves ASCII unchanged
  bool compat = form_ == UnicodeForm::NFKD || form_ == UnicodeForm::NFKC;
  bool compose = form_ == UnicodeForm::NFC || form_ == UnicodeForm::NFKC;
  thread_local std::vector<std::pair<char32_t, int>> seq, out;
  seq.clear();
  int opts = UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0);
  const std::string& in = s.get();
  for (size_t i = 0; i < in.size();) {
    char32_t c = next_char(in, i);
    if (c < 0xC0) {  // no decomposition below U+00C0 except compatibility ones (¨, ª, ², …)
      if (!compat || c < 0xA0) {
        seq.emplace_back(c, 0);
        continue;
      }
    }
    utf8proc_int32_t buf[32];
    int last = 0;
    auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 32, static_cast<utf8proc_option_t>(opts),
                                     &last);
    if (n <= 0 || n > 32) {
      seq.emplace_back(c, 0);
      continue;
    }
    for (int k = 0; k < n; ++k) seq.emplace_back(static_cast<char32_t>(buf[k]), k == 0 ? 0 : 1);
  }
  for (size_t a = 0; a < seq.size();) {  // canonical order of each run of non-starters
    if (combining_class(seq[a].first) == 0) {
      ++a;
      continue;
    }
    size_t b = a;
    while (b < seq.size() && combining_class(seq[b].first) != 0) ++b;
    std::stable_sort(seq.begin() + static_cast<std::ptrdiff_t>(a), seq.begin() + static_cast<std::ptrdiff_t>(b),
                     [](const auto& x, const auto& y) { return combining_class(x.first) < combining_class(y.first); });
    a = b;
  }
  if (!compose) return s.transform(seq, 0);
  out.clear();
  long starter = -1;
  int last_ccc = 0;
  for (const auto& [c, change] : seq) {
    int ccc = combining_class(c);
    if (starter >= 0 && c >= 0x300) {
      bool adjacent = static_cast<size_t>(starter) + 1 == out.size();
      if (adjacent || (last_ccc != 0 && last_ccc < ccc)) {
        utf8proc_int32_t pair[2] = {static_cast<utf8proc_int32_t>(out[starter].first), static_cast<utf8proc_int32_t>(c)};
        auto n = utf8proc_normalize_utf32(pair, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
        if (n == 1) {
          out[starter].first = static_cast<char32_t>(pair[0]);
          out[starter].second += change - 1;
          continue;
        }
      }
    }
    if (ccc == 0) {
      starter = static_cast<long>(out.size());
      last_ccc = 0;
    } else {
      last_ccc = ccc;
    }
    out.emplace_back(c, change);
  }
  s.transform(out, 0);
}

}  // namespace afinar::tokenizers
