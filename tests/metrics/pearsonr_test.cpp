#include "afinar/metrics/pearsonr.h"

#include <cmath>

#include "afinar/core/check.h"
#include "metric_fixture.h"

// scipy.stats.pearsonr on every case of correlation.json (one with a 1e6 offset), fed in 3 batches.
TEST(PearsonR, MatchesScipy) {
  auto cases = load_metric_fixture("correlation.json");
  ASSERT_EQ(cases.size(), 4u);
  for (const auto& c : cases) {
    auto p = c["predictions"].get<std::vector<double>>(), r = c["references"].get<std::vector<double>>();
    afinar::PearsonR m;
    const size_t third = p.size() / 3;
    m.add({p.data(), third}, {r.data(), third});
    m.add({p.data() + third, third}, {r.data() + third, third});
    m.add({p.data() + 2 * third, p.size() - 2 * third}, {r.data() + 2 * third, r.size() - 2 * third});
    EXPECT_EQ(m.count(), static_cast<int64_t>(p.size()));
    EXPECT_NEAR(m.compute(), c["pearsonr"].get<double>(), 1e-9);
  }
}

TEST(PearsonR, ConstantInputIsNaNAndLengthsMustMatch) {
  afinar::PearsonR m;
  std::vector<double> a = {1, 1, 1}, b = {1, 2, 3};
  m.add(a, b);
  EXPECT_TRUE(std::isnan(m.compute()));
  EXPECT_THROW(m.add(a, std::vector<double>{1}), afinar::InvalidArgument);
}
