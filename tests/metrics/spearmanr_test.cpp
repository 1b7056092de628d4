#include "afinar/metrics/spearmanr.h"

#include "metric_fixture.h"

// scipy.stats.spearmanr on every case of correlation.json (two with many ties), fed in 2 batches.
TEST(SpearmanR, MatchesScipy) {
  auto cases = load_metric_fixture("correlation.json");
  ASSERT_EQ(cases.size(), 4u);
  for (const auto& c : cases) {
    auto p = c["predictions"].get<std::vector<double>>(), r = c["references"].get<std::vector<double>>();
    afinar::SpearmanR m;
    const size_t half = p.size() / 2;
    m.add({p.data(), half}, {r.data(), half});
    m.add({p.data() + half, p.size() - half}, {r.data() + half, r.size() - half});
    EXPECT_NEAR(m.compute(), c["spearmanr"].get<double>(), 1e-9);
  }
}

TEST(SpearmanR, RankdataAveragesTies) {
  std::vector<double> v = {10, 20, 10, 30, 20};
  EXPECT_EQ(afinar::SpearmanR::rankdata(v), (std::vector<double>{1.5, 3.5, 1.5, 5, 3.5}));
}
