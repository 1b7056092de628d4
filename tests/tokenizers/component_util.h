// Runs single pipeline stages on strings, for the per-component tests.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "afinar/tokenizers/normalizers/normalizer.h"
#include "afinar/tokenizers/pre_tokenizers/pre_tokenizer.h"

namespace afinar::test {

inline std::string normalize(const tokenizers::Normalizer& n, const std::string& text) {
  tokenizers::NormalizedString s;
  s.reset(text, 0, static_cast<uint32_t>(text.size()));
  n.normalize(s);
  return s.get();
}

/// (word, original byte start, original byte end) of each split.
inline std::vector<std::tuple<std::string, uint32_t, uint32_t>> pre_tokenize(const tokenizers::PreTokenizer& p,
                                                                             const std::string& text) {
  tokenizers::NormalizedString s;
  s.reset(text, 0, static_cast<uint32_t>(text.size()));
  tokenizers::PreTokenizedString pre;
  pre.append(s, 0, static_cast<uint32_t>(text.size()));
  p.pre_tokenize(pre);
  std::vector<std::tuple<std::string, uint32_t, uint32_t>> out;
  for (const auto& sp : pre.splits) {
    auto r = pre.original_range(sp.start, sp.end);
    out.emplace_back(pre.text.substr(sp.start, sp.end - sp.start), r.start, r.end);
  }
  return out;
}

}  // namespace afinar::test
