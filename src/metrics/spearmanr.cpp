#include "afinar/metrics/spearmanr.h"

#include <algorithm>
#include <numeric>

#include "afinar/core/check.h"
#include "afinar/metrics/pearsonr.h"

namespace afinar {

void SpearmanR::add(std::span<const double> predictions, std::span<const double> references) {
  AFINAR_CHECK(predictions.size() == references.size(), "spearmanr: ", predictions.size(), " predictions but ",
               references.size(), " references");
  predictions_.insert(predictions_.end(), predictions.begin(), predictions.end());
  references_.insert(references_.end(), references.begin(), references.end());
}

std::vector<double> SpearmanR::rankdata(std::span<const double> values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;  // ranks i+1 .. j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

double SpearmanR::compute() const {
  PearsonR r;
  r.add(rankdata(predictions_), rankdata(references_));
  return r.compute();
}

}  // namespace afinar
