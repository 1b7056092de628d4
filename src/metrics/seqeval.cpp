// GCC 12 at -O3 reports false -Wstringop-overflow / -Wrestrict warnings inside std::string copies in get_entities
// (a bound of 2^63+2 bytes that no path reaches); the code only copies short tag strings.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "afinar/metrics/seqeval.h"

#include <set>

#include "afinar/core/check.h"

namespace afinar {

namespace {

// seqeval's end_of_chunk / start_of_chunk, rule for rule.
bool end_of_chunk(char prev_tag, char tag, const std::string& prev_type, const std::string& type) {
  bool end = prev_tag == 'E' || prev_tag == 'S';
  end |= prev_tag == 'B' && (tag == 'B' || tag == 'S' || tag == 'O');
  end |= prev_tag == 'I' && (tag == 'B' || tag == 'S' || tag == 'O');
  end |= prev_tag != 'O' && prev_tag != '.' && prev_type != type;
  return end;
}

bool start_of_chunk(char prev_tag, char tag, const std::string& prev_type, const std::string& type) {
  bool start = tag == 'B' || tag == 'S';
  start |= prev_tag == 'E' && (tag == 'E' || tag == 'I');
  start |= prev_tag == 'S' && (tag == 'E' || tag == 'I');
  start |= prev_tag == 'O' && (tag == 'E' || tag == 'I');
  start |= tag != 'O' && tag != '.' && prev_type != type;
  return start;
}

double divide(int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

// seqeval: (1 + beta²) p r / (beta² p + r) with beta = 1, 0 when the denominator is 0.
double fscore(double p, double r) { return p + r == 0 ? 0.0 : 2.0 * p * r / (p + r); }

}  // namespace

std::vector<std::tuple<std::string, int64_t, int64_t>> get_entities(const std::vector<std::string>& tags,
                                                                     bool suffix) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> chunks;
  char prev_tag = 'O';
  std::string prev_type;
  int64_t begin = 0;
  const auto n = static_cast<int64_t>(tags.size());
  for (int64_t i = 0; i <= n; ++i) {
    const std::string chunk = i < n ? tags[i] : "O";  // a trailing "O" closes the last chunk
    AFINAR_CHECK(!chunk.empty(), "seqeval: empty tag at position ", i);
    char tag;
    std::string type;
    if (suffix) {
      tag = chunk.back();
      // chunk[:-1].rsplit('-', 1)[0]
      const std::string head = chunk.substr(0, chunk.size() - 1);
      const auto dash = head.rfind('-');
      type = dash == std::string::npos ? head : head.substr(0, dash);
    } else {
      tag = chunk.front();
      // chunk[1:].split('-', 1)[-1]
      const std::string tail = chunk.substr(1);
      const auto dash = tail.find('-');
      type = dash == std::string::npos ? tail : tail.substr(dash + 1);
    }
    if (type.empty()) type = "_";
    if (end_of_chunk(prev_tag, tag, prev_type, type)) chunks.emplace_back(prev_type, begin, i - 1);
    if (start_of_chunk(prev_tag, tag, prev_type, type)) begin = i;
    prev_tag = tag;
    prev_type = type;
  }
  return chunks;
}

Seqeval::Seqeval(std::string mode, bool suffix) : suffix_(suffix) {
  if (mode == "strict") AFINAR_NOT_IMPLEMENTED("seqeval mode=strict (scheme-checked entities)");
  AFINAR_CHECK(mode == "default", "seqeval: mode must be default or strict, got '", mode, "'");
}

void Seqeval::add(const std::vector<std::vector<std::string>>& predictions,
                  const std::vector<std::vector<std::string>>& references) {
  AFINAR_CHECK(predictions.size() == references.size(), "seqeval: ", predictions.size(), " predictions but ",
               references.size(), " references");
  for (size_t s = 0; s < predictions.size(); ++s) {
    const auto& p = predictions[s];
    const auto& r = references[s];
    AFINAR_CHECK(p.size() == r.size(), "seqeval: sentence ", s, " has ", p.size(), " predicted tags but ", r.size(),
                 " reference tags");
    for (size_t i = 0; i < p.size(); ++i) correct_tokens_ += p[i] == r[i];
    tokens_ += static_cast<int64_t>(p.size());
    auto pred = get_entities(p, suffix_), ref = get_entities(r, suffix_);
    std::set<std::tuple<std::string, int64_t, int64_t>> ref_set(ref.begin(), ref.end());
    for (const auto& e : pred) {
      auto& c = counts_[std::get<0>(e)];
      ++c.pred;
      c.tp += ref_set.count(e) > 0;
    }
    for (const auto& e : ref) ++counts_[std::get<0>(e)].true_;
  }
}

SeqevalResult Seqeval::compute() const {
  SeqevalResult out;
  Counts all;
  for (const auto& [type, c] : counts_) {
    SeqevalTypeScore s;
    s.precision = divide(c.tp, c.pred);
    s.recall = divide(c.tp, c.true_);
    s.f1 = fscore(s.precision, s.recall);
    s.number = c.true_;
    out.types[type] = s;
    all.tp += c.tp;
    all.pred += c.pred;
    all.true_ += c.true_;
  }
  out.overall_precision = divide(all.tp, all.pred);
  out.overall_recall = divide(all.tp, all.true_);
  out.overall_f1 = fscore(out.overall_precision, out.overall_recall);
  out.overall_accuracy = divide(correct_tokens_, tokens_);
  return out;
}

}  // namespace afinar
