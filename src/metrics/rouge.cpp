#include "afinar/metrics/rouge.h"

#include <algorithm>
#include <set>

#include "afinar/core/check.h"
#include "afinar/metrics/porter_stemmer.h"

namespace afinar {

namespace {

using Tokens = std::vector<std::string>;

RougeScore from_pr(double p, double r) {
  return {p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0};
}

// rouge-score accepts rouge[0-9] and rejects n = 0.
int64_t ngram_order(const std::string& type) {
  AFINAR_CHECK(type.size() == 6 && type.rfind("rouge", 0) == 0 && type[5] >= '1' && type[5] <= '9',
               "rouge: unknown rouge type '", type, "' (rouge1 .. rouge9, rougeL, rougeLsum)");
  return type[5] - '0';
}

RougeScore score_ngrams(const Tokens& target, const Tokens& prediction, int64_t n) {
  std::map<Tokens, int64_t> t, p;
  const auto un = static_cast<size_t>(n);
  for (size_t i = 0; i + un <= target.size(); ++i) ++t[{target.begin() + i, target.begin() + i + un}];
  for (size_t i = 0; i + un <= prediction.size(); ++i) ++p[{prediction.begin() + i, prediction.begin() + i + un}];
  int64_t overlap = 0, tn = 0, pn = 0;
  for (const auto& [g, c] : t) {
    auto it = p.find(g);
    overlap += std::min(c, it == p.end() ? int64_t{0} : it->second);
    tn += c;
  }
  for (const auto& [g, c] : p) pn += c;
  return from_pr(static_cast<double>(overlap) / static_cast<double>(std::max<int64_t>(pn, 1)),
                 static_cast<double>(overlap) / static_cast<double>(std::max<int64_t>(tn, 1)));
}

// (|ref| + 1, |can| + 1) LCS lengths.
std::vector<std::vector<int64_t>> lcs_table(const Tokens& ref, const Tokens& can) {
  std::vector<std::vector<int64_t>> t(ref.size() + 1, std::vector<int64_t>(can.size() + 1, 0));
  for (size_t i = 1; i <= ref.size(); ++i)
    for (size_t j = 1; j <= can.size(); ++j)
      t[i][j] = ref[i - 1] == can[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t;
}

// rouge-score's _backtrack_norec: indices into ref of one LCS.
std::vector<size_t> lcs_indices(const Tokens& ref, const Tokens& can) {
  auto t = lcs_table(ref, can);
  std::vector<size_t> out;
  size_t i = ref.size(), j = can.size();
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      out.push_back(i - 1);
      --i, --j;
    } else if (t[i][j - 1] > t[i - 1][j]) {
      --j;
    } else {
      --i;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RougeScore score_lcs(const Tokens& target, const Tokens& prediction) {
  if (target.empty() || prediction.empty()) return {};
  const auto lcs = static_cast<double>(lcs_table(target, prediction).back().back());
  return from_pr(lcs / static_cast<double>(prediction.size()), lcs / static_cast<double>(target.size()));
}

// rouge-score's _summary_level_lcs: union LCS of each reference sentence against all candidate
// sentences, each token counted at most as often as it occurs on both sides.
RougeScore summary_level_lcs(const std::vector<Tokens>& ref, const std::vector<Tokens>& can) {
  if (ref.empty() || can.empty()) return {};
  int64_t m = 0, n = 0;
  std::map<std::string, int64_t> cnt_r, cnt_c;
  for (const auto& s : ref) {
    m += static_cast<int64_t>(s.size());
    for (const auto& t : s) ++cnt_r[t];
  }
  for (const auto& s : can) {
    n += static_cast<int64_t>(s.size());
    for (const auto& t : s) ++cnt_c[t];
  }
  if (n == 0 || m == 0) return {};
  int64_t hits = 0;
  for (const auto& r : ref) {
    std::set<size_t> uni;
    for (const auto& c : can)
      for (size_t i : lcs_indices(r, c)) uni.insert(i);
    for (size_t i : uni) {
      const auto& t = r[i];
      if (cnt_c[t] > 0 && cnt_r[t] > 0) {
        ++hits;
        --cnt_c[t];
        --cnt_r[t];
      }
    }
  }
  return from_pr(static_cast<double>(hits) / static_cast<double>(n),
                 static_cast<double>(hits) / static_cast<double>(m));
}

// Sentences for rougeLsum: split at "\n", empty ones dropped, each tokenized.
std::vector<Tokens> sentences(const std::string& text, bool use_stemmer) {
  std::vector<Tokens> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(rouge_tokenize(text.substr(start, end - start), use_stemmer));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> rouge_tokenize(const std::string& text, bool use_stemmer) {
  // Lowercase, then every run of characters outside [a-z0-9] separates tokens (non-ASCII bytes too,
  // but for the two code points that Python's str.lower() maps to ASCII letters).
  std::vector<std::string> tokens;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    // Only tokens longer than 3 characters are stemmed; a token is kept when it still is [a-z0-9]+.
    if (use_stemmer && cur.size() > 3) cur = porter_stem(cur);
    if (!cur.empty()) tokens.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = (text[i] >= 'A' && text[i] <= 'Z') ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      cur += c;
    } else if (text.compare(i, 2, "\xC4\xB0") == 0) {  // U+0130 -> "i" U+0307 (not alphanumeric)
      cur += 'i';
      flush();
      ++i;
    } else if (text.compare(i, 3, "\xE2\x84\xAA") == 0) {  // U+212A KELVIN SIGN -> "k"
      cur += 'k';
      i += 2;
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

RougeScore Rouge::score(const std::string& rouge_type, const std::string& target, const std::string& prediction,
                        bool use_stemmer) {
  if (rouge_type == "rougeLsum")
    return summary_level_lcs(sentences(target, use_stemmer), sentences(prediction, use_stemmer));
  const auto t = rouge_tokenize(target, use_stemmer), p = rouge_tokenize(prediction, use_stemmer);
  if (rouge_type == "rougeL") return score_lcs(t, p);
  return score_ngrams(t, p, ngram_order(rouge_type));
}

Rouge::Rouge(std::vector<std::string> rouge_types, bool use_stemmer)
    : types_(std::move(rouge_types)), use_stemmer_(use_stemmer) {
  for (const auto& t : types_)
    if (t != "rougeL" && t != "rougeLsum") ngram_order(t);
}

void Rouge::add(std::span<const std::string> predictions, std::span<const std::string> references) {
  AFINAR_CHECK(predictions.size() == references.size(), "rouge: ", predictions.size(), " predictions but ",
               references.size(), " references");
  for (size_t i = 0; i < predictions.size(); ++i)
    for (const auto& t : types_) fsum_[t] += score(t, references[i], predictions[i], use_stemmer_).fmeasure;
  n_ += static_cast<int64_t>(predictions.size());
}

std::map<std::string, double> Rouge::compute() const {
  std::map<std::string, double> out;
  for (const auto& t : types_) out[t] = n_ == 0 ? 0.0 : fsum_.at(t) / static_cast<double>(n_);
  return out;
}

}  // namespace afinar
