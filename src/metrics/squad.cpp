// The official SQuAD v1.1 and v2.0 scoring (evaluate's metrics/squad*/compute_score.py), with the
// Python string semantics its normalize_answer relies on.
#include "afinar/metrics/squad.h"

#include <utf8proc.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "afinar/core/check.h"
#include "afinar/tokenizers/unicode.h"

namespace afinar {
namespace {

using tokenizers::next_char;

std::u32string decode(std::string_view s) {
  const size_t bad = tokenizers::find_invalid_utf8(s);
  AFINAR_CHECK(bad == std::string_view::npos, "squad: answer text is not valid UTF-8 (byte ", bad, ")");
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(next_char(s, i));
  return out;
}

std::string encode(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  char buf[4];
  for (char32_t c : s) out.append(buf, tokenizers::append_utf8(c, buf));
  return out;
}

utf8proc_category_t category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

// Python's str.isspace (whitespace bidi classes and Zs): Unicode White_Space plus \x1c-\x1f.
bool is_python_space(char32_t c) {
  return tokenizers::is_whitespace(c) || (c >= 0x1C && c <= 0x1F);
}

// Python's \w in a str pattern: str.isalnum() (L*, N*) or '_'.
bool is_python_word(char32_t c) {
  return tokenizers::is_letter(c) || tokenizers::is_numeric(c) || c == '_';
}

// Unicode's Cased and Case_Ignorable, as CPython's final-sigma rule reads them.
bool is_cased(char32_t c) {
  const auto cat = category(c);
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT) return true;
  const auto i = static_cast<utf8proc_int32_t>(c);
  return utf8proc_tolower(i) != i || utf8proc_toupper(i) != i;
}

bool is_case_ignorable(char32_t c) {
  // Word_Break MidLetter, MidNumLet and Single_Quote
  static constexpr char32_t kMid[] = {0x27,   0x2E,   0x3A,   0xB7,   0x387,  0x55F,  0x5F4,  0x2018, 0x2019,
                                      0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
  if (std::find(std::begin(kMid), std::end(kMid), c) != std::end(kMid)) return true;
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
         cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

// CPython's handle_capital_sigma: Σ is final (ς) after a cased letter and not before one,
// case-ignorable characters skipped on both sides.
char32_t lower_sigma(const std::u32string& s, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(s[j - 1])) --j;
  if (j == 0 || !is_cased(s[j - 1])) return 0x3C3;
  size_t k = i + 1;
  while (k < s.size() && is_case_ignorable(s[k])) ++k;
  return k == s.size() || !is_cased(s[k]) ? 0x3C2 : 0x3C3;
}

// Python's str.lower.
std::u32string lower(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0x3A3) {
      out.push_back(lower_sigma(s, i));
      continue;
    }
    char32_t buf[2];
    const int n = tokenizers::to_lowercase(s[i], buf);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool is_ascii_punctuation(char32_t c) {
  return c < 0x80 && tokenizers::is_punctuation(c);
}

// re.sub(r"\b(a|an|the)\b", " ", text): a whole run of word characters that is an article.
std::u32string remove_articles(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (!is_python_word(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_python_word(s[j])) ++j;
    const std::u32string_view word(s.data() + i, j - i);
    if (word == U"a" || word == U"an" || word == U"the")
      out.push_back(' ');
    else
      out.append(word);
    i = j;
  }
  return out;
}

// str.split() of normalized text.
std::vector<std::u32string> split(const std::u32string& s) {
  std::vector<std::u32string> words;
  for (size_t i = 0; i < s.size();) {
    while (i < s.size() && is_python_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_python_space(s[j])) ++j;
    if (j > i) words.emplace_back(s, i, j - i);
    i = j;
  }
  return words;
}

std::u32string normalize(std::string_view text) {
  std::u32string s = lower(decode(text));
  s.erase(std::remove_if(s.begin(), s.end(), is_ascii_punctuation), s.end());
  std::u32string joined;
  for (const auto& w : split(remove_articles(s))) {
    if (!joined.empty()) joined.push_back(' ');
    joined += w;
  }
  return joined;
}

// Counter(a) & Counter(b), summed; 0 when either is empty.
double token_f1(const std::vector<std::u32string>& pred, const std::vector<std::u32string>& gold) {
  std::unordered_map<std::u32string, int64_t> counts;
  for (const auto& t : gold) ++counts[t];
  int64_t same = 0;
  for (const auto& t : pred) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) --it->second, ++same;
  }
  if (same == 0) return 0.0;
  const double precision = 1.0 * static_cast<double>(same) / static_cast<double>(pred.size());
  const double recall = 1.0 * static_cast<double>(same) / static_cast<double>(gold.size());
  return (2 * precision * recall) / (precision + recall);
}

std::unordered_map<std::string, const SquadPrediction*> index_predictions(const std::vector<SquadPrediction>& p,
                                                                          const char* metric) {
  std::unordered_map<std::string, const SquadPrediction*> by_id;
  for (const auto& x : p)
    AFINAR_CHECK(by_id.emplace(x.id, &x).second, metric, ": prediction id '", x.id, "' is given twice");
  return by_id;
}

void check_unique(const std::vector<SquadReference>& refs, const char* metric) {
  std::unordered_set<std::string> seen;
  for (const auto& r : refs)
    AFINAR_CHECK(seen.insert(r.id).second, metric, ": reference id '", r.id, "' is given twice");
}

}  // namespace

std::string normalize_answer(std::string_view s) {
  return encode(normalize(s));
}

bool squad_exact_match_score(std::string_view prediction, std::string_view ground_truth) {
  return normalize(prediction) == normalize(ground_truth);
}

double squad_f1_score(std::string_view prediction, std::string_view ground_truth) {
  return token_f1(split(normalize(prediction)), split(normalize(ground_truth)));
}

int squad_v2_compute_exact(std::string_view a_gold, std::string_view a_pred) {
  return normalize(a_gold) == normalize(a_pred) ? 1 : 0;
}

double squad_v2_compute_f1(std::string_view a_gold, std::string_view a_pred) {
  // get_tokens: "" → no tokens, else normalize_answer(s).split()
  const auto gold = a_gold.empty() ? std::vector<std::u32string>{} : split(normalize(a_gold));
  const auto pred = a_pred.empty() ? std::vector<std::u32string>{} : split(normalize(a_pred));
  if (gold.empty() || pred.empty()) return gold == pred ? 1.0 : 0.0;
  return token_f1(pred, gold);
}

std::map<std::string, double> squad(const std::vector<SquadPrediction>& predictions,
                                    const std::vector<SquadReference>& references) {
  const auto by_id = index_predictions(predictions, "squad");
  check_unique(references, "squad");
  AFINAR_CHECK(!references.empty(), "squad: no references");
  double f1 = 0;
  int64_t exact_match = 0, total = 0;
  for (const auto& r : references) {
    ++total;
    auto it = by_id.find(r.id);
    if (it == by_id.end()) continue;  // "Unanswered question ... will receive score 0."
    AFINAR_CHECK(!r.answers.text.empty(), "squad: reference '", r.id, "' has no answer; HINT: unanswerable ",
                 "questions need squad_v2 (--version_2_with_negative)");
    const auto pred = normalize(it->second->prediction_text);
    const auto pred_tokens = split(pred);
    bool em = false;
    double best_f1 = 0;
    for (const auto& gt : r.answers.text) {
      const auto gold = normalize(gt);
      em = em || pred == gold;
      best_f1 = std::max(best_f1, token_f1(pred_tokens, split(gold)));
    }
    exact_match += em ? 1 : 0;
    f1 += best_f1;
  }
  return {{"exact_match", 100.0 * static_cast<double>(exact_match) / static_cast<double>(total)},
          {"f1", 100.0 * f1 / static_cast<double>(total)}};
}

std::map<std::string, double> squad_v2(const std::vector<SquadPrediction>& predictions,
                                       const std::vector<SquadReference>& references, double no_answer_threshold) {
  const auto by_id = index_predictions(predictions, "squad_v2");
  check_unique(references, "squad_v2");
  AFINAR_CHECK(!references.empty(), "squad_v2: no references");
  // get_raw_scores, in reference order.
  const size_t n = references.size();
  std::vector<double> exact_raw(n), f1_raw(n), na_prob(n);
  std::vector<bool> has_ans(n);
  std::unordered_map<std::string, size_t> ref_index;
  for (size_t i = 0; i < n; ++i) {
    const auto& r = references[i];
    ref_index.emplace(r.id, i);
    auto it = by_id.find(r.id);
    AFINAR_CHECK(it != by_id.end(), "squad_v2: no prediction for reference id '", r.id, "'");
    const SquadPrediction& p = *it->second;
    has_ans[i] = !r.answers.text.empty();
    std::vector<std::string_view> gold;
    for (const auto& t : r.answers.text)
      if (!normalize(t).empty()) gold.push_back(t);
    if (gold.empty()) gold.push_back("");  // the only correct answer to an unanswerable question
    for (auto g : gold) {
      exact_raw[i] = std::max(exact_raw[i], double(squad_v2_compute_exact(g, p.prediction_text)));
      f1_raw[i] = std::max(f1_raw[i], squad_v2_compute_f1(g, p.prediction_text));
    }
    na_prob[i] = static_cast<double>(static_cast<float>(p.no_answer_probability));
  }
  // apply_no_ans_threshold + make_eval_dict, over all / answerable / unanswerable questions.
  std::map<std::string, double> out;
  auto eval = [&](const std::string& prefix, int want) {  // want: -1 all, 1 has answer, 0 none
    double exact = 0, f1 = 0;
    int64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      if (want >= 0 && has_ans[i] != (want == 1)) continue;
      const bool pred_na = na_prob[i] > no_answer_threshold;
      exact += pred_na ? double(!has_ans[i]) : exact_raw[i];
      f1 += pred_na ? double(!has_ans[i]) : f1_raw[i];
      ++total;
    }
    if (total == 0) return;
    out[prefix + "exact"] = 100.0 * exact / static_cast<double>(total);
    out[prefix + "f1"] = 100.0 * f1 / static_cast<double>(total);
    out[prefix + "total"] = static_cast<double>(total);
  };
  eval("", -1);
  eval("HasAns_", 1);
  eval("NoAns_", 0);
  // find_best_thresh: predictions sorted (stably) by their no-answer probability.
  std::vector<const SquadPrediction*> order;
  for (const auto& p : predictions) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const SquadPrediction* a, const SquadPrediction* b) {
    return static_cast<float>(a->no_answer_probability) < static_cast<float>(b->no_answer_probability);
  });
  const double num_no_ans = static_cast<double>(std::count(has_ans.begin(), has_ans.end(), false));
  auto best = [&](const std::vector<double>& scores, const std::string& name) {
    double cur = num_no_ans, best_score = cur, best_thresh = 0.0;
    for (const SquadPrediction* p : order) {
      auto it = ref_index.find(p->id);
      if (it == ref_index.end()) continue;
      const size_t i = it->second;
      cur += has_ans[i] ? scores[i] : (p->prediction_text.empty() ? 0.0 : -1.0);
      if (cur > best_score) best_score = cur, best_thresh = na_prob[i];
    }
    out["best_" + name] = 100.0 * best_score / static_cast<double>(n);
    out["best_" + name + "_thresh"] = best_thresh;
  };
  best(exact_raw, "exact");
  best(f1_raw, "f1");
  return out;
}

}  // namespace afinar
