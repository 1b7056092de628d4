/// evaluate's "spearmanr": Spearman's rank correlation as scipy.stats.spearmanr (Pearson's r of the
/// ranks, ties given their average rank). Ranks need every value, so this metric keeps the pairs
/// (2 doubles per example); it cannot be reduced to running counts.
///
///   afinar::SpearmanR m;
///   m.add(predictions, references);   // per batch
///   double rho = m.compute();         // {"spearmanr": rho}
#pragma once
#include <span>
#include <vector>

namespace afinar {

class SpearmanR {
 public:
  void add(std::span<const double> predictions, std::span<const double> references);
  size_t count() const { return predictions_.size(); }
  /// NaN when fewer than 2 pairs or either side is constant.
  double compute() const;
  /// scipy.stats.rankdata(method="average"): 1-based ranks, ties share their mean rank.
  static std::vector<double> rankdata(std::span<const double> values);

 private:
  std::vector<double> predictions_, references_;
};

}  // namespace afinar
