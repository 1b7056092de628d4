#include "afinar/metrics/pearsonr.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "afinar/core/check.h"

namespace afinar {

void PearsonR::add(std::span<const double> predictions, std::span<const double> references) {
  AFINAR_CHECK(predictions.size() == references.size(), "pearsonr: ", predictions.size(), " predictions but ",
               references.size(), " references");
  for (size_t i = 0; i < predictions.size(); ++i) {
    ++n_;
    const double dp = predictions[i] - mean_p_, dr = references[i] - mean_r_;
    mean_p_ += dp / static_cast<double>(n_);
    mean_r_ += dr / static_cast<double>(n_);
    // Co-moments with the old deviation on one side and the new one on the other (Welford).
    m2_p_ += dp * (predictions[i] - mean_p_);
    m2_r_ += dr * (references[i] - mean_r_);
    c_pr_ += dp * (references[i] - mean_r_);
  }
}

double PearsonR::compute() const {
  if (n_ < 2 || m2_p_ <= 0 || m2_r_ <= 0) return std::numeric_limits<double>::quiet_NaN();
  const double r = c_pr_ / (std::sqrt(m2_p_) * std::sqrt(m2_r_));
  return std::clamp(r, -1.0, 1.0);
}

}  // namespace afinar
