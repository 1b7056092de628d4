// evaluate's squad / squad_v2 against the official scoring scripts
// (tools/oracle/squad_metric_fixtures.py): normalize_answer on tricky strings (punctuation,
// articles, Unicode case and whitespace, Greek final sigma), exact/F1 of pairs, and whole metrics
// on hand-made and validation-set cases (several references, empty and missing predictions,
// unanswerable questions, no-answer probabilities and thresholds).
#include "afinar/metrics/squad.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"
#include "metric_fixture.h"

namespace afinar {
namespace {

std::vector<SquadPrediction> predictions(const nlohmann::json& j) {
  std::vector<SquadPrediction> out;
  for (const auto& p : j)
    out.push_back(
        {p["id"].get<std::string>(), p["prediction_text"].get<std::string>(), p.value("no_answer_probability", 0.0)});
  return out;
}

std::vector<SquadReference> references(const nlohmann::json& j) {
  std::vector<SquadReference> out;
  for (const auto& r : j)
    out.push_back({r["id"].get<std::string>(),
                   {r["answers"]["text"].get<std::vector<std::string>>(),
                    r["answers"]["answer_start"].get<std::vector<int64_t>>()}});
  return out;
}

void expect_metrics(const std::map<std::string, double>& got, const nlohmann::json& want, const std::string& name) {
  std::map<std::string, double> w;
  for (const auto& [k, v] : want.items()) w[k] = v.get<double>();
  ASSERT_EQ(got.size(), w.size()) << name;
  for (const auto& [k, v] : w) {
    ASSERT_TRUE(got.count(k)) << name << ": no key " << k;
    // Same additions in the same order as the script; 1e-9 leaves room for Python 3.12's
    // compensated sum().
    EXPECT_NEAR(got.at(k), v, 1e-9) << name << " " << k;
  }
}

TEST(Squad, NormalizeAnswerAsPython) {
  const auto j = load_metric_fixture("squad/normalize.json");
  ASSERT_GT(j["normalize"].size(), 50u);
  for (const auto& c : j["normalize"])
    EXPECT_EQ(normalize_answer(c[0].get<std::string>()), c[1].get<std::string>()) << c[0];
}

TEST(Squad, ExactAndF1OfPairs) {
  const auto j = load_metric_fixture("squad/normalize.json");
  for (const auto& c : j["pairs"]) {
    const auto p = c["prediction"].get<std::string>(), g = c["reference"].get<std::string>();
    EXPECT_EQ(squad_exact_match_score(p, g), c["v1_exact"].get<bool>()) << p << " | " << g;
    EXPECT_DOUBLE_EQ(squad_f1_score(p, g), c["v1_f1"].get<double>()) << p << " | " << g;
    EXPECT_EQ(squad_v2_compute_exact(g, p), c["v2_exact"].get<int>()) << p << " | " << g;
    EXPECT_DOUBLE_EQ(squad_v2_compute_f1(g, p), c["v2_f1"].get<double>()) << p << " | " << g;
  }
}

TEST(Squad, MatchesEvaluate) {
  const auto cases = load_metric_fixture("squad/squad.json");
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases)
    expect_metrics(squad(predictions(c["predictions"]), references(c["references"])), c["expected"], c["name"]);
}

TEST(Squad, V2MatchesEvaluate) {
  const auto cases = load_metric_fixture("squad/squad_v2.json");
  ASSERT_EQ(cases.size(), 4u);
  for (const auto& c : cases)
    expect_metrics(
        squad_v2(predictions(c["predictions"]), references(c["references"]), c["no_answer_threshold"].get<double>()),
        c["expected"], c["name"]);
}

TEST(Squad, V2WithoutUnanswerableQuestionsHasNoNoAnsKeys) {
  const auto m = squad_v2({{"a", "Beatles", 0.5}}, {{"a", {{"the Beatles"}, {0}}}});
  EXPECT_EQ(m.count("NoAns_total"), 0u);
  EXPECT_DOUBLE_EQ(m.at("HasAns_exact"), 100.0);
  EXPECT_DOUBLE_EQ(m.at("best_exact_thresh"), double(0.5f));
}

TEST(Squad, RefusesWhatTheScriptsCannotScore) {
  const std::vector<SquadReference> refs = {{"a", {{"x"}, {0}}}, {"b", {{}, {}}}};
  EXPECT_THROW(squad({{"a", "x"}, {"b", ""}}, refs), InvalidArgument);        // v1: no answer to "b"
  EXPECT_THROW(squad_v2({{"a", "x"}}, refs), InvalidArgument);                // v2: no prediction for "b"
  EXPECT_THROW(squad({{"a", "x"}, {"a", "y"}}, {refs[0]}), InvalidArgument);  // an id twice
  EXPECT_THROW(normalize_answer("\xff"), InvalidArgument);
  EXPECT_NO_THROW(squad({{"a", "x"}}, {refs[0]}));
}

}  // namespace
}  // namespace afinar
