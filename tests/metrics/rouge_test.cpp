#include "afinar/metrics/rouge.h"

#include "afinar/core/check.h"
#include "metric_fixture.h"

// rouge-score (use_stemmer=False): per-example precision/recall/F for rouge1/2/3/L/Lsum, and the
// mean F-measure accumulated over two batches.
TEST(Rouge, MatchesRougeScore) {
  auto fx = load_metric_fixture("rouge.json");
  auto types = fx["types"].get<std::vector<std::string>>();
  auto preds = fx["predictions"].get<std::vector<std::string>>(),
       refs = fx["references"].get<std::vector<std::string>>();
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
  EXPECT_EQ(afinar::rouge_tokenize("The Cats ran, RUNNING!", true),
            (std::vector<std::string>{"the", "cat", "ran", "run"}));
  // Python's str.lower(): U+0130 -> "i" U+0307, U+212A KELVIN SIGN -> "k"; other non-ASCII separates.
  EXPECT_EQ(afinar::rouge_tokenize("\u0130stanbul 300\u212a caf\u00e9s"),
            (std::vector<std::string>{"i", "stanbul", "300k", "caf", "s"}));
  EXPECT_THROW(afinar::Rouge({"rougeX"}), afinar::InvalidArgument);
  // rouge-score: rouge[0-9] with n > 0.
  EXPECT_THROW(afinar::Rouge({"rouge0"}), afinar::InvalidArgument);
  EXPECT_THROW(afinar::Rouge({"rouge10"}), afinar::InvalidArgument);
  EXPECT_NO_THROW(afinar::Rouge({"rouge9", "rougeLsum"}, true));
}

// rouge-score's RougeScorer(use_stemmer=True) on 50 pairs (tools/oracle/rouge_stemmer_fixtures.py):
// the stemmed tokens of each text, per-example precision/recall/F and the mean F over two batches.
TEST(Rouge, StemmerMatchesRougeScore) {
  auto fx = load_metric_fixture("rouge_stemmer.json");
  const auto types = fx["types"].get<std::vector<std::string>>();
  std::vector<std::string> preds, refs;
  for (const auto& c : fx["cases"]) {
    preds.push_back(c["prediction"].get<std::string>());
    refs.push_back(c["reference"].get<std::string>());
  }
  ASSERT_EQ(preds.size(), 50u);
  for (size_t i = 0; i < preds.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i));
    const auto& c = fx["cases"][i];
    EXPECT_EQ(afinar::rouge_tokenize(preds[i], true), c["prediction_tokens"].get<std::vector<std::string>>());
    EXPECT_EQ(afinar::rouge_tokenize(refs[i], true), c["reference_tokens"].get<std::vector<std::string>>());
    for (const auto& t : types) {
      SCOPED_TRACE(t);
      const auto s = afinar::Rouge::score(t, refs[i], preds[i], true);
      const auto& want = c["scores"][t];
      EXPECT_NEAR(s.precision, want[0].get<double>(), 1e-12);
      EXPECT_NEAR(s.recall, want[1].get<double>(), 1e-12);
      EXPECT_NEAR(s.fmeasure, want[2].get<double>(), 1e-12);
    }
  }
  afinar::Rouge rouge(types, true), plain(types);
  for (auto* r : {&rouge, &plain}) {
    r->add({preds.data(), 20}, {refs.data(), 20});
    r->add({preds.data() + 20, preds.size() - 20}, {refs.data() + 20, refs.size() - 20});
  }
  const auto means = rouge.compute(), plain_means = plain.compute();
  for (const auto& t : types) {
    EXPECT_NEAR(means.at(t), fx["mean_fmeasure"][t].get<double>(), 1e-12) << t;
    // Without the stemmer the inflected predictions match less.
    EXPECT_LT(plain_means.at(t), means.at(t) - 1e-3) << t;
  }
}
