/// evaluate's "pearsonr": Pearson's correlation coefficient between predictions and references, as
/// scipy.stats.pearsonr computes it, accumulated batch by batch in O(1) memory (running means and
/// co-moments, Welford's update, so large offsets lose no precision).
///
///   afinar::PearsonR m;
///   m.add(predictions, references);   // per batch
///   double r = m.compute();           // {"pearsonr": r}
#pragma once
#include <cstdint>
#include <span>

namespace afinar {

class PearsonR {
 public:
  void add(std::span<const double> predictions, std::span<const double> references);
  int64_t count() const { return n_; }
  /// r in [-1, 1]; NaN when fewer than 2 pairs or either side is constant (scipy's result).
  double compute() const;

 private:
  int64_t n_ = 0;
  double mean_p_ = 0, mean_r_ = 0, m2_p_ = 0, m2_r_ = 0, c_pr_ = 0;
};

}  // namespace afinar
