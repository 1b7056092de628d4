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

void UnicodeNormalizer::normalize(NormalizedString& s) const {
  bool compat = form_ == UnicodeForm::NFKD || form_ == UnicodeForm::NFKC;
  if (form_ == UnicodeForm::NFD || form_ == UnicodeForm::NFKD) return decompose(s, compat);
  // Composition: decompose, then compose each run starting at a starter with utf8proc; the
  // composed characters of a run align with the run's whole original span.
  auto chars = decomposed(s, compat);
  s.begin_rebuild();
  std::vector<utf8proc_int32_t> run;
  for (size_t a = 0; a < chars.size();) {
    size_t b = a + 1;
    while (b < chars.size() && combining_class(chars[b].c) != 0) ++b;
    run.clear();
    for (size_t k = a; k < b; ++k) run.push_back(static_cast<utf8proc_int32_t>(chars[k].c));
    auto n = utf8proc_normalize_utf32(run.data(), static_cast<utf8proc_ssize_t>(run.size()),
                                      static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
    if (n == static_cast<utf8proc_ssize_t>(b - a)) {
      for (size_t k = a; k < b; ++k) s.emit(static_cast<char32_t>(run[k - a]), chars[k].r);
    } else {
      Range span{chars[a].r.start, chars[b - 1].r.end};
      for (utf8proc_ssize_t k = 0; k < n; ++k) s.emit(static_cast<char32_t>(run[k]), span);
    }
    a = b;
  }
  s.commit();
}

}  // namespace afinar::tokenizers
