/// Classification metrics with the `evaluate` library's names and sklearn's values, accumulated
/// batch by batch in a confusion matrix (bounded memory: no predictions are kept).
///
///   afinar::ClassificationMetrics m(2);
///   m.add(preds, labels);                 // per batch
///   double acc = m.accuracy(), f1 = m.f1("binary");
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace afinar {

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t num_labels);

  /// Adds predicted and true class ids. Labels equal to -100 (HF's ignore index) are skipped;
  /// other out-of-range ids → InvalidArgument.
  void add(std::span<const int64_t> predictions, std::span<const int64_t> references);

  int64_t count() const { return total_; }
  double accuracy() const;
  /// average: binary (pos_label 1) | micro | macro | weighted — sklearn's definitions,
  /// with 0 where a denominator is 0 (sklearn's zero_division default, warning aside).
  double precision(const std::string& average = "binary") const;
  double recall(const std::string& average = "binary") const;
  double f1(const std::string& average = "binary") const;
  double matthews_correlation() const;
  /// {"accuracy", "f1"}: f1 binary for 2 labels, macro otherwise (as the seed notebook reports).
  std::map<std::string, double> compute() const;

 private:
  struct PRF {
    double p, r, f;
  };
  PRF per_class(int64_t c) const;
  PRF averaged(const std::string& average) const;
  int64_t n_;
  int64_t total_ = 0;
  std::vector<int64_t> cm_;  ///< (n_, n_): row = reference, column = prediction
};

}  // namespace afinar
