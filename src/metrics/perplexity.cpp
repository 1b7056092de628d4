#include "afinar/metrics/perplexity.h"

#include <cmath>
#include <limits>

#include "afinar/core/check.h"

namespace afinar {

void Perplexity::add(double loss_sum, int64_t tokens) {
  AFINAR_CHECK(tokens >= 0, "perplexity: negative token count ", tokens);
  loss_sum_ += loss_sum;
  tokens_ += tokens;
}

double Perplexity::mean_loss() const {
  AFINAR_CHECK(tokens_ > 0, "perplexity: no tokens were added");
  return loss_sum_ / static_cast<double>(tokens_);
}

double Perplexity::from_mean_loss(double mean_loss) {
  const double p = std::exp(mean_loss);
  return std::isfinite(p) ? p : std::numeric_limits<double>::infinity();  // math.exp's OverflowError → inf
}

}  // namespace afinar
