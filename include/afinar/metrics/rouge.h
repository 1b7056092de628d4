/// evaluate's "rouge" with rouge-score's defaults (use_stemmer=false, its default tokenizer:
/// lowercase, runs of [a-z0-9]): ROUGE-N (rouge1, rouge2, ...), ROUGE-L (LCS over the whole text)
/// and ROUGE-Lsum (summary-level union LCS over sentences split at newlines).
/// compute() gives the mean F-measure per type over the examples, accumulated as running sums
/// (bounded memory). evaluate's default aggregator is a bootstrap whose "mid" is a random estimate of
/// that same mean; use_aggregator=False gives the per-example scores that score() returns.
///
///   afinar::Rouge rouge;                       // rouge1, rouge2, rougeL, rougeLsum
///   rouge.add(predictions, references);        // per batch
///   std::map<std::string, double> r = rouge.compute();   // r["rougeL"]
#pragma once
#include <map>
#include <span>
#include <string>
#include <vector>

namespace afinar {

struct RougeScore {
  double precision = 0, recall = 0, fmeasure = 0;
};

/// rouge-score's tokenize.tokenize without a stemmer.
std::vector<std::string> rouge_tokenize(const std::string& text);

class Rouge {
 public:
  explicit Rouge(std::vector<std::string> rouge_types = {"rouge1", "rouge2", "rougeL", "rougeLsum"});
  void add(std::span<const std::string> predictions, std::span<const std::string> references);
  /// Mean F-measure per type (0 for no examples).
  std::map<std::string, double> compute() const;
  /// One example's score (rouge_scorer.RougeScorer.score(target, prediction)).
  static RougeScore score(const std::string& rouge_type, const std::string& target, const std::string& prediction);

 private:
  std::vector<std::string> types_;
  std::map<std::string, double> fsum_;
  int64_t n_ = 0;
};

}  // namespace afinar
