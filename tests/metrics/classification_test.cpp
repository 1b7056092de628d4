#include "afinar/metrics/classification.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar_test_paths.h"

// Every case of tests/fixtures/metrics/classification.json (sklearn's values) must match.
TEST(ClassificationMetrics, MatchesSklearn) {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/metrics/classification.json");
  ASSERT_TRUE(in.good());
  auto cases = nlohmann::json::parse(in);
  ASSERT_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    afinar::ClassificationMetrics m(c["num_labels"].get<int64_t>());
    auto p = c["predictions"].get<std::vector<int64_t>>();
    auto r = c["references"].get<std::vector<int64_t>>();
    // Fed in two batches: accumulation must not change the result.
    const size_t half = p.size() / 2;
    m.add({p.data(), half}, {r.data(), half});
    m.add({p.data() + half, p.size() - half}, {r.data() + half, r.size() - half});
    EXPECT_NEAR(m.accuracy(), c["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(m.matthews_correlation(), c["matthews_correlation"].get<double>(), 1e-12);
    for (const char* avg : {"micro", "macro", "weighted", "binary"}) {
      if (!c.contains(std::string("f1_") + avg)) continue;
      SCOPED_TRACE(std::string(avg) + " n=" + std::to_string(c["num_labels"].get<int>()));
      EXPECT_NEAR(m.f1(avg), c[std::string("f1_") + avg].get<double>(), 1e-12);
      EXPECT_NEAR(m.precision(avg), c[std::string("precision_") + avg].get<double>(), 1e-12);
      EXPECT_NEAR(m.recall(avg), c[std::string("recall_") + avg].get<double>(), 1e-12);
    }
  }
}

TEST(ClassificationMetrics, IgnoresMinus100AndRejectsOutOfRange) {
  afinar::ClassificationMetrics m(2);
  std::vector<int64_t> p = {1, 0, 1}, r = {1, -100, 0};
  m.add(p, r);
  EXPECT_EQ(m.count(), 2);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.5);
  std::vector<int64_t> bad = {2};
  EXPECT_THROW(m.add(bad, std::vector<int64_t>{1}), afinar::InvalidArgument);
  EXPECT_THROW(m.add(std::vector<int64_t>{1}, bad), afinar::InvalidArgument);
  EXPECT_THROW(afinar::ClassificationMetrics(3).f1("binary"), afinar::InvalidArgument);
}
