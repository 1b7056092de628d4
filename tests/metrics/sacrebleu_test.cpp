#include "afinar/metrics/sacrebleu.h"

#include "afinar/core/check.h"
#include "metric_fixture.h"

// sacrebleu.corpus_bleu (defaults) on 14 corpora, one and two references; every corpus fed one
// sentence per batch.
TEST(SacreBleu, MatchesSacrebleu) {
  auto fx = load_metric_fixture("sacrebleu.json");
  ASSERT_EQ(fx["corpora"].size(), 14u);
  for (const auto& c : fx["corpora"]) {
    auto hyps = c["predictions"].get<std::vector<std::string>>();
    auto refs = c["references"].get<std::vector<std::vector<std::string>>>();
    SCOPED_TRACE(c["predictions"].dump());
    afinar::SacreBleu bleu;
    for (size_t i = 0; i < hyps.size(); ++i) bleu.add({&hyps[i], 1}, {&refs[i], 1});
    auto r = bleu.compute();
    EXPECT_NEAR(r.score, c["score"].get<double>(), 1e-6);
    EXPECT_NEAR(r.bp, c["bp"].get<double>(), 1e-9);
    EXPECT_EQ(r.sys_len, c["sys_len"].get<int64_t>());
    EXPECT_EQ(r.ref_len, c["ref_len"].get<int64_t>());
    for (size_t n = 0; n < 4; ++n) {
      EXPECT_EQ(r.counts[n], c["counts"][n].get<int64_t>());
      EXPECT_EQ(r.totals[n], c["totals"][n].get<int64_t>());
      EXPECT_NEAR(r.precisions[n], c["precisions"][n].get<double>(), 1e-6);
    }
  }
}

TEST(SacreBleu, Tokenize13a) {
  auto fx = load_metric_fixture("sacrebleu.json");
  for (const auto& [line, want] : fx["tokenize_13a"].items()) {
    std::string s = line;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    EXPECT_EQ(afinar::tokenize_13a(s), want.get<std::string>()) << line;
  }
}
