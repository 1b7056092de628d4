#include "afinar/metrics/sacrebleu.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "afinar/core/check.h"

namespace afinar {

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ([\{-\~\[-\` -\&\(-\+\:-\@\/]): ASCII punctuation and symbols except ' , - . and digits/letters.
bool is_symbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') || (c >= '(' && c <= '+') ||
         (c >= ':' && c <= '@') || c == '/';
}

// TokenizerRegexp's four substitutions, each a left-to-right scan of non-overlapping matches as
// re.sub makes them. Bytes stand in for code points: every pattern matches ASCII characters only
// and [^0-9] matches any other byte as it would match the whole character, so the output is the same.
std::string regexp_tokenize(const std::string& in) {
  std::string a;
  for (char c : in) {
    if (is_symbol(c)) (a += ' ') += c, a += ' ';
    else a += c;
  }
  std::string b;  // ([^0-9])([\.,]) → '\1 \2 '
  for (size_t i = 0; i < a.size();) {
    if (i + 1 < a.size() && !is_digit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
      ((b += a[i]) += ' ') += a[i + 1], b += ' ';
      i += 2;
    } else {
      b += a[i++];
    }
  }
  std::string c;  // ([\.,])([^0-9]) → ' \1 \2'
  for (size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !is_digit(b[i + 1])) {
      ((c += ' ') += b[i]) += ' ', c += b[i + 1];
      i += 2;
    } else {
      c += b[i++];
    }
  }
  std::string d;  // ([0-9])(-) → '\1 \2 '
  for (size_t i = 0; i < c.size();) {
    if (i + 1 < c.size() && is_digit(c[i]) && c[i + 1] == '-') {
      (d += c[i]) += " - ";
      i += 2;
    } else {
      d += c[i++];
    }
  }
  // ' '.join(line.split())
  std::istringstream words(d);
  std::string out, w;
  while (words >> w) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

using NgramCounts = std::map<std::vector<std::string>, int64_t>;

NgramCounts ngrams(const std::vector<std::string>& tokens) {
  NgramCounts counts;
  for (size_t n = 1; n <= 4; ++n)
    for (size_t i = 0; i + n <= tokens.size(); ++i) ++counts[{tokens.begin() + i, tokens.begin() + i + n}];
  return counts;
}

// sacrebleu strips trailing whitespace before tokenizing.
std::string rstrip(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace

std::string tokenize_13a(const std::string& line) {
  std::string s = line;
  replace_all(s, "<skipped>", "");
  replace_all(s, "-\n", "");
  replace_all(s, "\n", " ");
  if (s.find('&') != std::string::npos) {
    replace_all(s, "&quot;", "\"");
    replace_all(s, "&amp;", "&");
    replace_all(s, "&lt;", "<");
    replace_all(s, "&gt;", ">");
  }
  return regexp_tokenize(" " + s + " ");
}

void SacreBleu::add(std::span<const std::string> predictions, std::span<const std::vector<std::string>> references) {
  AFINAR_CHECK(predictions.size() == references.size(), "sacrebleu: ", predictions.size(), " predictions but ",
               references.size(), " reference lists");
  for (size_t s = 0; s < predictions.size(); ++s) {
    AFINAR_CHECK(!references[s].empty(), "sacrebleu: prediction ", s, " has no reference");
    // Reference n-grams: the most any one reference holds; reference length: the closest to the
    // hypothesis length, the shorter one on ties.
    NgramCounts ref_counts;
    std::vector<int64_t> ref_lens;
    for (const auto& ref : references[s]) {
      auto toks = split(tokenize_13a(rstrip(ref)));
      ref_lens.push_back(static_cast<int64_t>(toks.size()));
      for (const auto& [g, c] : ngrams(toks)) ref_counts[g] = std::max(ref_counts[g], c);
    }
    auto hyp = split(tokenize_13a(rstrip(predictions[s])));
    const auto hyp_len = static_cast<int64_t>(hyp.size());
    int64_t closest_diff = -1, closest = -1;
    for (int64_t len : ref_lens) {
      const int64_t diff = std::llabs(hyp_len - len);
      if (closest_diff == -1 || diff < closest_diff) closest_diff = diff, closest = len;
      else if (diff == closest_diff && len < closest) closest = len;
    }
    for (const auto& [g, c] : ngrams(hyp)) {
      total_[g.size() - 1] += c;
      auto it = ref_counts.find(g);
      if (it != ref_counts.end()) correct_[g.size() - 1] += std::min(c, it->second);
    }
    sys_len_ += hyp_len;
    ref_len_ += closest;
  }
}

BleuResult SacreBleu::compute() const {
  BleuResult r;
  r.counts = correct_;
  r.totals = total_;
  r.sys_len = sys_len_;
  r.ref_len = ref_len_;
  if (sys_len_ < ref_len_)
    r.bp = sys_len_ > 0 ? std::exp(1 - static_cast<double>(ref_len_) / static_cast<double>(sys_len_)) : 0.0;
  bool any = false;
  for (int64_t c : correct_) any |= c != 0;
  if (!any) return r;  // score 0, precisions 0
  double smooth = 1;
  for (size_t n = 0; n < 4; ++n) {
    if (total_[n] == 0) break;
    if (correct_[n] == 0) {
      smooth *= 2;  // exp smoothing (NIST, mteval-v13a)
      r.precisions[n] = 100. / (smooth * static_cast<double>(total_[n]));
    } else {
      r.precisions[n] = 100. * static_cast<double>(correct_[n]) / static_cast<double>(total_[n]);
    }
  }
  double log_sum = 0;
  for (double p : r.precisions) log_sum += p == 0.0 ? -9999999999.0 : std::log(p);  // sacrebleu's my_log
  r.score = r.bp * std::exp(log_sum / 4);
  return r;
}

}  // namespace afinar
