#include "afinar/metrics/seqeval.h"

#include "afinar/core/check.h"
#include "metric_fixture.h"

// seqeval's classification_report (default mode) and accuracy_score on IOB2 and IOB1 tags,
// fed in two batches of sentences.
TEST(Seqeval, MatchesSeqeval) {
  auto cases = load_metric_fixture("seqeval.json");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["scheme"].get<std::string>());
    using Tags = std::vector<std::vector<std::string>>;
    auto p = c["predictions"].get<Tags>(), r = c["references"].get<Tags>();
    afinar::Seqeval m;
    const auto half = static_cast<std::ptrdiff_t>(p.size() / 2);
    m.add(Tags(p.begin(), p.begin() + half), Tags(r.begin(), r.begin() + half));
    m.add(Tags(p.begin() + half, p.end()), Tags(r.begin() + half, r.end()));
    auto res = m.compute();
    EXPECT_NEAR(res.overall_precision, c["overall_precision"].get<double>(), 1e-9);
    EXPECT_NEAR(res.overall_recall, c["overall_recall"].get<double>(), 1e-9);
    EXPECT_NEAR(res.overall_f1, c["overall_f1"].get<double>(), 1e-9);
    EXPECT_NEAR(res.overall_accuracy, c["overall_accuracy"].get<double>(), 1e-9);
    ASSERT_EQ(res.types.size(), c["types"].size());
    for (const auto& [type, want] : c["types"].items()) {
      SCOPED_TRACE(type);
      ASSERT_TRUE(res.types.count(type));
      const auto& got = res.types.at(type);
      EXPECT_NEAR(got.precision, want["precision"].get<double>(), 1e-9);
      EXPECT_NEAR(got.recall, want["recall"].get<double>(), 1e-9);
      EXPECT_NEAR(got.f1, want["f1"].get<double>(), 1e-9);
      EXPECT_EQ(got.number, want["number"].get<int64_t>());
    }
  }
}

TEST(Seqeval, GetEntitiesAsSeqeval) {
  using E = std::tuple<std::string, int64_t, int64_t>;
  EXPECT_EQ(afinar::get_entities({"B-PER", "I-PER", "O", "B-LOC"}), (std::vector<E>{{"PER", 0, 1}, {"LOC", 3, 3}}));
  // IOB1: I starts a chunk after O, B splits two adjacent chunks of one type.
  EXPECT_EQ(afinar::get_entities({"I-PER", "I-PER", "B-PER", "I-LOC"}),
            (std::vector<E>{{"PER", 0, 1}, {"PER", 2, 2}, {"LOC", 3, 3}}));
  EXPECT_EQ(afinar::get_entities({"PER-B", "PER-E", "O"}, /*suffix=*/true), (std::vector<E>{{"PER", 0, 1}}));
}

TEST(Seqeval, StrictModeIsNotImplementedAndLengthsMustMatch) {
  EXPECT_THROW(afinar::Seqeval("strict"), afinar::NotImplemented);
  afinar::Seqeval m;
  EXPECT_THROW(m.add({{"O"}}, {{"O", "O"}}), afinar::InvalidArgument);
}
