/// evaluate's "rouge" on rouge-score's default tokenizer (lowercase, runs of [a-z0-9]; with
/// use_stemmer, tokens longer than 3 characters go through nltk's Porter stemmer, as HF's
/// run_summarization.py asks): ROUGE-N (rouge1 .. rouge9), ROUGE-L (LCS over the whole text) and
/// ROUGE-Lsum (summary-level union LCS over sentences split at newlines).
/// compute() gives the mean F-measure per type over the examples, accumulated as running sums
/// (bounded memory). evaluate's default aggregator is a bootstrap whose "mid" is a random estimate of
/// that same mean; use_aggregator=False gives the per-example scores that score() returns.
///
///   afinar::Rouge rouge({"rouge1", "rouge2", "rougeL", "rougeLsum"}, /*use_stemmer=*/true);
///   rouge.add(predictions, references);        // per batch
///   std::map<std::string, double> r = rouge.compute();   // r["rougeL"]
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace afinar {

struct RougeScore {
  double precision = 0, recall = 0, fmeasure = 0;
};

/// rouge-score's tokenize.tokenize: lowercase, split at every character outside [a-z0-9] (Python's
/// str.lower() turns U+0130 into "i" + U+0307 and U+212A KELVIN SIGN into "k", so those two count
/// as letters), and with use_stemmer every token longer than 3 characters is porter_stem()'d.
///   rouge_tokenize("The Cats ran!", true);   // {"the", "cat", "ran"}
std::vector<std::string> rouge_tokenize(const std::string& text, bool use_stemmer = false);

class Rouge {
 public:
  /// rouge_types: "rouge1" .. "rouge9", "rougeL", "rougeLsum"; use_stemmer as in rouge_score's
  /// RougeScorer (evaluate's default is false; run_summarization.py passes true).
  explicit Rouge(std::vector<std::string> rouge_types = {"rouge1", "rouge2", "rougeL", "rougeLsum"},
                 bool use_stemmer = false);
  void add(std::span<const std::string> predictions, std::span<const std::string> references);
  /// Mean F-measure per type (0 for no examples).
  std::map<std::string, double> compute() const;
  /// One example's score (rouge_scorer.RougeScorer([rouge_type], use_stemmer).score(target, prediction)).
  static RougeScore score(const std::string& rouge_type, const std::string& target, const std::string& prediction,
                          bool use_stemmer = false);

 private:
  std::vector<std::string> types_;
  bool use_stemmer_ = false;
  std::map<std::string, double> fsum_;
  int64_t n_ = 0;
};

}  // namespace afinar
