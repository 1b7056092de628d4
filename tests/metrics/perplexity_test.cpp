#include "afinar/metrics/perplexity.h"

#include <cmath>

#include "afinar/core/check.h"
#include "metric_fixture.h"

TEST(Perplexity, ExpOfMeanLoss) {
  for (const auto& c : load_metric_fixture("perplexity.json"))
    EXPECT_NEAR(afinar::Perplexity::from_mean_loss(c["mean_loss"].get<double>()), c["perplexity"].get<double>(), 1e-9);
  afinar::Perplexity p;
  p.add(3.0, 2);  // batches of different sizes: the mean is over tokens
  p.add(1.0, 2);
  EXPECT_DOUBLE_EQ(p.mean_loss(), 1.0);
  EXPECT_NEAR(p.compute(), std::exp(1.0), 1e-12);
  EXPECT_TRUE(std::isinf(afinar::Perplexity::from_mean_loss(1e6)));
  EXPECT_THROW(afinar::Perplexity().mean_loss(), afinar::InvalidArgument);
}
