#include "afinar/metrics/rouge.h"

#include "afinar/core/check.h"
#include "metric_fixture.h"

// rouge-score (use_stemmer=False): per-example precision/recall/F for rouge1/2/3/L/Lsum, and the
// mean F-measure accumulated over two batches.
TEST(Rouge, MatchesRougeScore) {
  auto fx = load_metric_fixture("rouge.json");
  auto types = fx["types"].get<std::vector<std::string>>();
  auto preds = fx["predictions"].get<std::vector<std::string>>(), refs = fx["references"].get<std::vector<std::string>>();
  ASSERT_EQ(preds.size(), 7u);
  for (size_t i = 0; i < preds.size(); ++i)
    for (const auto& t : types) {
      SCOPED_TRACE(t + " example " + std::to_string(i));
      auto s = afinar::Rouge::score(t, refs[i], preds[i]);
      const auto& want = fx["scores"][i][t];
      EXPECT_NEAR(s.precision, want[0].get<double>(), 1e-6);
      EXPECT_NEAR(s.recall, want[1].get<double>(), 1e-6);
      EXPECT_NEAR(s.fmeasure, want[2].get<double>(), 1e-6);
    }
  afinar::Rouge rouge(types);
  rouge.add({preds.data(), 3}, {refs.data(), 3});
  rouge.add({preds.data() + 3, preds.size() - 3}, {refs.data() + 3, refs.size() - 3});
  auto means = rouge.compute();
  for (const auto& t : types) EXPECT_NEAR(means.at(t), fx["mean_fmeasure"][t].get<double>(), 1e-6) << t;
}

TEST(Rouge, TokenizerAndUnknownType) {
  EXPECT_EQ(afinar::rouge_tokenize("Hello, WORLD-42 ok!"), (std::vector<std::string>{"hello", "world", "42", "ok"}));
  EXPECT_THROW(afinar::Rouge({"rougeX"}), afinar::InvalidArgument);
}
