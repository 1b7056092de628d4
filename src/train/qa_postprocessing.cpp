// utils_qa.py's postprocess_qa_predictions and run_qa's formatting for the squad metrics.
#include "afinar/train/qa_postprocessing.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <unordered_map>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "squad_columns.h"

namespace afinar {
namespace {

constexpr int32_t kNone = -1;  // an offset_mapping item that is None (outside the context)

/// The features' offset_mapping, flattened: (start, end) per token, kNone for None.
struct FeatureOffsets {
  std::vector<int32_t> values;  // 2 per token
  std::vector<int64_t> begin;   // per feature, into values / 2; begin[F] = tokens

  int64_t length(size_t f) const { return begin[f + 1] - begin[f]; }
  std::pair<int32_t, int32_t> at(size_t f, int64_t k) const {
    const size_t i = size_t(begin[f] + k) * 2;
    return {values[i], values[i + 1]};
  }
};

FeatureOffsets read_offsets(const Dataset& features) {
  FeatureOffsets out;
  out.begin.push_back(0);
  for (const auto& chunk : features.column("offset_mapping")->chunks()) {
    AFINAR_CHECK(chunk->type_id() == arrow::Type::LIST, "postprocess_qa_predictions: offset_mapping is ",
                 chunk->type()->ToString(), ", not list<list<int>>; HINT: pass prepare_validation_features' output");
    const auto& outer = static_cast<const arrow::ListArray&>(*chunk);
    for (int64_t f = 0; f < outer.length(); ++f) {
      auto tokens = outer.value_slice(f);
      AFINAR_CHECK(tokens->type_id() == arrow::Type::LIST, "postprocess_qa_predictions: offset_mapping items are ",
                   tokens->type()->ToString(), ", not lists");
      const auto& pairs = static_cast<const arrow::ListArray&>(*tokens);
      for (int64_t k = 0; k < pairs.length(); ++k) {
        auto v = pairs.value_slice(k);
        // utils_qa skips None and items shorter than 2.
        if (pairs.IsNull(k) || v->length() < 2) {
          out.values.insert(out.values.end(), {kNone, kNone});
          continue;
        }
        auto get = [&](int64_t i) -> int32_t {
          if (v->type_id() == arrow::Type::INT32) return static_cast<const arrow::Int32Array&>(*v).Value(i);
          AFINAR_CHECK(v->type_id() == arrow::Type::INT64, "postprocess_qa_predictions: offsets are ",
                       v->type()->ToString(), ", not integers");
          return int32_t(static_cast<const arrow::Int64Array&>(*v).Value(i));
        };
        out.values.insert(out.values.end(), {get(0), get(1)});
      }
      out.begin.push_back(int64_t(out.values.size() / 2));
    }
  }
  return out;
}

/// A span of one feature (or the null answer), utils_qa's prelim_predictions entry.
struct Candidate {
  std::pair<int32_t, int32_t> offsets;
  float score, start_logit, end_logit;
};

/// Positions [0, length) of `row` by decreasing logit (numpy's argsort reversed: NaN first, ties to
/// the later position), the first n.
std::vector<int64_t> best_indexes(const float* row, int64_t length, size_t n) {
  std::vector<int64_t> idx(static_cast<size_t>(length));
  std::iota(idx.begin(), idx.end(), 0);
  auto before = [row](int64_t a, int64_t b) {
    const bool na = std::isnan(row[a]), nb = std::isnan(row[b]);
    if (na != nb) return na;
    if (!na && row[a] != row[b]) return row[a] > row[b];
    return a > b;
  };
  const size_t k = std::min(n, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(k), idx.end(), before);
  idx.resize(k);
  return idx;
}

/// context[start:end] in code points, with Python's clamping.
std::string slice(const std::string& context, const std::vector<size_t>& char_bytes, int64_t start, int64_t end) {
  const int64_t n = int64_t(char_bytes.size()) - 1;
  start = std::clamp<int64_t>(start, 0, n), end = std::clamp<int64_t>(end, 0, n);
  if (end <= start) return "";
  return context.substr(char_bytes[size_t(start)], char_bytes[size_t(end)] - char_bytes[size_t(start)]);
}

std::vector<size_t> char_bytes(const std::string& s) {
  std::vector<size_t> b;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) b.push_back(i);
  b.push_back(s.size());
  return b;
}

/// numpy's float32 sum (pairwise_sum: 8 partial sums per block of at most 128 values).
float numpy_sum(const float* a, size_t n) {
  if (n < 8) {
    float r = 0;
    for (size_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n > 128) {
    size_t half = n / 2;
    half -= half % 8;
    return numpy_sum(a, half) + numpy_sum(a + half, n - half);
  }
  float r[8];
  std::copy(a, a + 8, r);
  size_t i = 8;
  for (; i + 8 <= n; i += 8)
    for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
  float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i) res += a[i];
  return res;
}

/// utils_qa's softmax of the n-best scores: float32, or float64 when the placeholder "empty"
/// (a Python float score) is among them.
std::vector<double> softmax(const std::vector<float>& scores, bool float64) {
  std::vector<double> p(scores.size());
  if (float64) {
    const double m = *std::max_element(scores.begin(), scores.end());
    double sum = 0;
    for (size_t i = 0; i < scores.size(); ++i) sum += (p[i] = std::exp(double(scores[i]) - m));
    for (auto& x : p) x /= sum;
    return p;
  }
  const float m = *std::max_element(scores.begin(), scores.end());
  std::vector<float> e(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) e[i] = std::exp(scores[i] - m);
  const float sum = numpy_sum(e.data(), e.size());
  for (size_t i = 0; i < scores.size(); ++i) p[i] = double(e[i] / sum);
  return p;
}

torch::Tensor logits_2d(const torch::Tensor& t, const char* name, int64_t features) {
  AFINAR_CHECK(t.defined() && t.dim() == 2, "postprocess_qa_predictions: ", name, " must be (features, tokens), got ",
               t.defined() ? t.sizes() : torch::IntArrayRef{});
  AFINAR_CHECK(t.size(0) == features, "postprocess_qa_predictions: got ", t.size(0), " ", name, " rows and ", features,
               " features");
  return t.detach().to(torch::kCPU, torch::kFloat).contiguous();
}

}  // namespace

std::vector<QaPrediction> postprocess_qa_predictions(const Dataset& examples, const Dataset& features,
                                                     const torch::Tensor& start_logits, const torch::Tensor& end_logits,
                                                     const QuestionAnsweringPostprocessing& opt) {
  AFINAR_CHECK(opt.n_best_size > 0, "n_best_size must be positive");
  const auto ids = examples.column_strings("id");
  const auto contexts = examples.column_strings(opt.context_column_name);
  const auto example_ids = features.column_strings("example_id");
  const FeatureOffsets offsets = read_offsets(features);
  const int64_t num_features = int64_t(example_ids.size());
  const torch::Tensor start = logits_2d(start_logits, "start_logits", num_features);
  const torch::Tensor end = logits_2d(end_logits, "end_logits", num_features);
  AFINAR_CHECK(start.sizes() == end.sizes(), "postprocess_qa_predictions: start_logits ", start.sizes(),
               " and end_logits ", end.sizes(), " differ");
  const int64_t width = start.size(1);

  std::unordered_map<std::string, size_t> example_index;
  for (size_t i = 0; i < ids.size(); ++i)
    AFINAR_CHECK(example_index.emplace(ids[i], i).second, "postprocess_qa_predictions: example id '", ids[i],
                 "' appears twice in ", examples.origin());
  std::vector<std::vector<size_t>> features_per_example(ids.size());
  for (size_t f = 0; f < example_ids.size(); ++f) {
    auto it = example_index.find(example_ids[f]);
    AFINAR_CHECK(it != example_index.end(), "postprocess_qa_predictions: feature ", f, " belongs to example '",
                 example_ids[f], "', which is not among the examples");
    AFINAR_CHECK(offsets.length(f) <= width, "postprocess_qa_predictions: feature ", f, " has ", offsets.length(f),
                 " tokens, the logits only ", width);
    features_per_example[it->second].push_back(f);
  }

  const bool v2 = opt.version_2_with_negative;
  std::vector<QaPrediction> out(ids.size());
  for (size_t e = 0; e < ids.size(); ++e) {
    AFINAR_CHECK(!features_per_example[e].empty(), "postprocess_qa_predictions: example '", ids[e],
                 "' has no feature; HINT: pass the features prepare_validation_features made from these examples");
    std::optional<Candidate> min_null;
    std::vector<Candidate> prelim;
    for (size_t f : features_per_example[e]) {
      const float* s = start.data_ptr<float>() + int64_t(f) * width;  // (T,)
      const float* t = end.data_ptr<float>() + int64_t(f) * width;    // (T,)
      const float null_score = s[0] + t[0];
      if (!min_null || min_null->score > null_score) min_null = Candidate{{0, 0}, null_score, s[0], t[0]};
      const int64_t len = offsets.length(f);
      const auto starts = best_indexes(s, len, opt.n_best_size);
      const auto ends = best_indexes(t, len, opt.n_best_size);
      for (int64_t si : starts) {
        for (int64_t ei : ends) {
          const auto so = offsets.at(f, si), eo = offsets.at(f, ei);
          if (so.first == kNone || eo.first == kNone) continue;  // outside the context
          if (ei < si || size_t(ei - si + 1) > opt.max_answer_length) continue;
          prelim.push_back({{so.first, eo.second}, s[si] + t[ei], s[si], t[ei]});
        }
      }
    }
    if (v2) prelim.push_back(*min_null);
    std::stable_sort(prelim.begin(), prelim.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    if (prelim.size() > opt.n_best_size) prelim.resize(opt.n_best_size);
    const std::pair<int32_t, int32_t> zero{0, 0};
    if (v2 && std::none_of(prelim.begin(), prelim.end(), [&](const Candidate& c) { return c.offsets == zero; }))
      prelim.push_back(*min_null);

    const auto bytes = char_bytes(contexts[e]);
    auto& nbest = out[e].nbest;
    std::vector<float> scores;
    for (const auto& c : prelim) {
      nbest.push_back({slice(contexts[e], bytes, c.offsets.first, c.offsets.second), c.start_logit, c.end_logit, 0});
      scores.push_back(c.score);
    }
    // utils_qa's placeholder when no span is left.
    const bool placeholder = nbest.empty() || (nbest.size() == 1 && nbest[0].text.empty());
    if (placeholder) {
      nbest.insert(nbest.begin(), {"empty", 0.0f, 0.0f, 0});
      scores.insert(scores.begin(), 0.0f);
    }
    const auto probs = softmax(scores, placeholder);
    for (size_t i = 0; i < nbest.size(); ++i) nbest[i].probability = probs[i];

    out[e].id = ids[e];
    if (!v2) {
      out[e].prediction_text = nbest[0].text;
      continue;
    }
    // The best non-empty answer against the null answer. (utils_qa fails where every candidate
    // is empty; then the answer is "" and the odds 0.)
    auto best = std::find_if(nbest.begin(), nbest.end(), [](const QaNbestPrediction& p) { return !p.text.empty(); });
    if (best == nbest.end()) {
      out[e].null_odds = 0.0;
      continue;
    }
    const float score_diff = min_null->score - best->start_logit - best->end_logit;
    out[e].null_odds = double(score_diff);
    // numpy compares a float32 with a Python float in float32.
    out[e].prediction_text = score_diff > float(opt.null_score_diff_threshold) ? "" : best->text;
  }
  return out;
}

namespace {

/// Python's repr of a float, which json.dumps writes: the shortest round-trip digits, fixed
/// notation for exponents -4..15 (with ".0" when integral), else d.ddde±XX.
std::string python_float(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
  const std::string sci(buf, r.ptr);  // [-]d[.ddd]e±XX
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  const bool negative = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c >= '0' && c <= '9') digits.push_back(c);
  std::string out = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const std::string mag = std::to_string(std::abs(exp));
    return out + (exp < 0 ? "e-" : "e+") + (mag.size() < 2 ? "0" : "") + mag;
  }
  if (exp < 0) return out + "0." + std::string(size_t(-exp - 1), '0') + digits;
  const size_t point = size_t(exp) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0') + ".0";
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

/// A JSON string as json.dumps writes it by default (ensure_ascii: \uXXXX for non-ASCII).
std::string python_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', true);
}

/// json.dumps(obj, indent=4) of a dict whose values are already written at `indent` + 4.
std::string python_dict(const std::vector<std::pair<std::string, std::string>>& items, size_t indent) {
  if (items.empty()) return "{}";
  const std::string pad(indent + 4, ' ');
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? ",\n" : "\n") + pad + python_string(items[i].first) + ": " + items[i].second;
  return out + "\n" + std::string(indent, ' ') + "}";
}

}  // namespace

void save_qa_predictions(const std::vector<QaPrediction>& predictions, const fs::path& output_dir,
                         const std::string& prefix, bool version_2_with_negative) {
  std::vector<std::pair<std::string, std::string>> all, nbest, null_odds;
  for (const auto& p : predictions) {
    all.emplace_back(p.id, python_string(p.prediction_text));
    std::string list = p.nbest.empty() ? "[]" : "[";
    for (size_t k = 0; k < p.nbest.size(); ++k) {
      const auto& n = p.nbest[k];
      list += (k ? ",\n" : "\n") + std::string(8, ' ') +
              python_dict({{"start_logit", python_float(n.start_logit)},
                           {"end_logit", python_float(n.end_logit)},
                           {"text", python_string(n.text)},
                           {"probability", python_float(n.probability)}},
                          8);
    }
    if (!p.nbest.empty()) list += "\n    ]";
    nbest.emplace_back(p.id, std::move(list));
    if (version_2_with_negative) null_odds.emplace_back(p.id, python_float(p.null_odds.value_or(0.0)));
  }
  fs::create_directories(output_dir);
  const std::string pre = prefix.empty() ? "" : prefix + "_";
  // utils_qa: writer.write(json.dumps(d, indent=4) + "\n")
  auto write = [&](const char* name, const std::vector<std::pair<std::string, std::string>>& d) {
    write_file_atomic(output_dir / (pre + name), python_dict(d, 0) + "\n");
  };
  write("predictions.json", all);
  write("nbest_predictions.json", nbest);
  if (version_2_with_negative) write("null_odds.json", null_odds);
}

std::vector<SquadPrediction> squad_predictions(const std::vector<QaPrediction>& predictions) {
  std::vector<SquadPrediction> out;
  out.reserve(predictions.size());
  for (const auto& p : predictions) out.push_back({p.id, p.prediction_text, 0.0});
  return out;
}

std::vector<SquadReference> squad_references(const Dataset& examples, const std::string& answer_column_name) {
  const auto ids = examples.column_strings("id");
  std::vector<SquadReference> out;
  out.reserve(ids.size());
  for (const auto& chunk : examples.column(answer_column_name)->chunks())
    for (auto& a : qa_detail::answers(*chunk, answer_column_name)) out.push_back({ids[out.size()], std::move(a)});
  return out;
}

std::map<std::string, double> compute_qa_metrics(const std::vector<QaPrediction>& predictions, const Dataset& examples,
                                                 const QuestionAnsweringPostprocessing& options) {
  const auto refs = squad_references(examples, options.answer_column_name);
  const auto preds = squad_predictions(predictions);
  return options.version_2_with_negative ? squad_v2(preds, refs) : squad(preds, refs);
}

}  // namespace afinar
