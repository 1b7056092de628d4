/// evaluate's "seqeval": entity-level precision, recall and F1 (overall = micro average, and per
/// entity type) and token accuracy, with seqeval's default mode: entities are chunked as conlleval
/// does (get_entities), which reads IOB1, IOB2, IOE and IOBES tags alike. Counts are accumulated per
/// batch (bounded memory: entities are matched sentence by sentence and only counts are kept).
///
///   afinar::Seqeval m;
///   m.add({{"B-PER", "I-PER", "O"}}, {{"B-PER", "I-PER", "O"}});   // predictions, references
///   afinar::SeqevalResult r = m.compute();   // r.overall_f1, r.types["PER"].f1, ...
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace afinar {

struct SeqevalTypeScore {
  double precision = 0, recall = 0, f1 = 0;
  int64_t number = 0;  ///< entities of this type in the references (support)
};

struct SeqevalResult {
  std::map<std::string, SeqevalTypeScore> types;  ///< every type seen in references or predictions
  double overall_precision = 0, overall_recall = 0, overall_f1 = 0, overall_accuracy = 0;
};

/// seqeval.metrics.sequence_labeling.get_entities: (type, first, last) chunks of one sentence.
/// `suffix`: tags like "PER-B" instead of "B-PER".
std::vector<std::tuple<std::string, int64_t, int64_t>> get_entities(const std::vector<std::string>& tags,
                                                                     bool suffix = false);

class Seqeval {
 public:
  /// mode: "default" (seqeval's default, conlleval-like); "strict" is not implemented yet.
  explicit Seqeval(std::string mode = "default", bool suffix = false);
  /// One tag sequence per sentence; each prediction as long as its reference.
  void add(const std::vector<std::vector<std::string>>& predictions,
           const std::vector<std::vector<std::string>>& references);
  /// Zero where a denominator is zero (seqeval's zero_division="warn" value).
  SeqevalResult compute() const;

 private:
  struct Counts {
    int64_t tp = 0, pred = 0, true_ = 0;
  };
  bool suffix_;
  std::map<std::string, Counts> counts_;
  int64_t tokens_ = 0, correct_tokens_ = 0;
};

}  // namespace afinar
