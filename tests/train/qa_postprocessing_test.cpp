// utils_qa's postprocess_qa_predictions against the oracle (tools/oracle/qa_fixtures.py): seeded
// random logits (-100 past each feature's length, as Trainer's nested_concat pads) for the
// validation features of 60 SQuAD questions, MiniLM 128/32 padded and RoBERTa 128/32 unpadded
// (several features per question), v1 and v2 with null-score thresholds. Predictions, n-best
// lists, null odds and the written files agree.
#include "afinar/train/qa_postprocessing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <numeric>
#include <set>

#include "afinar/core/check.h"
#include "afinar/data/load_dataset.h"
#include "afinar/io/npy.h"
#include "afinar/train/question_answering.h"
#include "qa_test_util.h"

namespace afinar {
namespace {

using nlohmann::json;

class QaPostprocessing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("afinar_qa_post_" + std::to_string(::getpid())));
    write_qa_examples(*dir_ / "examples.jsonl");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  struct Case {
    Dataset examples, features;
    torch::Tensor start, end;  // (F, T)
    json want;
  };

  /// The oracle's first examples, their validation features and logits.
  static Case load(const std::string& name) {
    const json pre = qa_fixture(name + ".json");
    QuestionAnsweringPreprocessing opt;
    opt.max_seq_length = pre["max_seq_length"];
    opt.doc_stride = pre["doc_stride"];
    opt.pad_to_max_length = pre["pad_to_max_length"];
    MapOptions m;
    m.cache_dir = *dir_ / "cache";
    const Dataset all = load_file((*dir_ / "examples.jsonl").string());
    const Dataset features = prepare_validation_features(all, shared_tokenizer(pre["tokenizer"]), opt, m);
    Case c;
    c.want = qa_fixture("postprocess/" + name + ".json");
    std::vector<int64_t> rows(c.want["num_examples"].get<size_t>());
    std::iota(rows.begin(), rows.end(), 0);
    c.examples = all.select(rows);
    const auto ids = c.examples.column_strings("id");
    const std::set<std::string> keep(ids.begin(), ids.end());
    std::vector<int64_t> keep_features;
    const auto example_id = features.column_strings("example_id");
    for (size_t f = 0; f < example_id.size(); ++f)
      if (keep.count(example_id[f])) keep_features.push_back(int64_t(f));
    c.features = features.select(keep_features);
    const torch::Tensor logits =
        load_npy(fs::path(AFINAR_FIXTURES_DIR) / "train/qa/postprocess" / (name + "_logits.npy"));
    EXPECT_EQ(logits.size(1), c.want["num_features"].get<int64_t>());
    c.start = logits[0], c.end = logits[1];
    return c;
  }

  static QuestionAnsweringPostprocessing options(const json& s) {
    QuestionAnsweringPostprocessing o;
    o.version_2_with_negative = s["version_2_with_negative"];
    o.n_best_size = s["n_best_size"];
    o.max_answer_length = s["max_answer_length"];
    o.null_score_diff_threshold = s["null_score_diff_threshold"];
    return o;
  }

  static void check(const std::string& name) {
    SCOPED_TRACE(name);
    const Case c = load(name);
    ASSERT_EQ(c.features.num_rows(), c.want["num_features"].get<int64_t>());
    for (const auto& s : c.want["settings"]) {
      const auto o = options(s);
      SCOPED_TRACE(s.dump().substr(0, 120));
      const auto preds = postprocess_qa_predictions(c.examples, c.features, c.start, c.end, o);
      ASSERT_EQ(preds.size(), s["predictions"].size());
      for (size_t i = 0; i < preds.size(); ++i) {
        EXPECT_EQ(preds[i].id, s["predictions"][i][0].get<std::string>());
        EXPECT_EQ(preds[i].prediction_text, s["predictions"][i][1].get<std::string>()) << preds[i].id;
        EXPECT_EQ(preds[i].null_odds.has_value(), o.version_2_with_negative);
        if (preds[i].null_odds) {  // float32 arithmetic as numpy's, in the same order
          EXPECT_EQ(*preds[i].null_odds, s["null_odds"][preds[i].id].get<double>()) << preds[i].id;
        }
        if (s.contains("nbest_sizes")) {
          EXPECT_EQ(preds[i].nbest.size(), s["nbest_sizes"][preds[i].id].get<size_t>()) << preds[i].id;
        }
      }
      if (!s.contains("nbest")) continue;
      for (size_t i = 0; i < preds.size(); ++i) {
        if (!s["nbest"].contains(preds[i].id)) continue;
        const auto& want = s["nbest"][preds[i].id];
        ASSERT_EQ(preds[i].nbest.size(), want.size()) << preds[i].id;
        for (size_t k = 0; k < want.size(); ++k) {
          const auto& n = preds[i].nbest[k];
          EXPECT_EQ(n.text, want[k]["text"].get<std::string>()) << preds[i].id << " #" << k;
          EXPECT_EQ(double(n.start_logit), want[k]["start_logit"].get<double>()) << preds[i].id << " #" << k;
          EXPECT_EQ(double(n.end_logit), want[k]["end_logit"].get<double>()) << preds[i].id << " #" << k;
          // numpy's float32 exp may differ from libm's by an ulp.
          EXPECT_NEAR(n.probability, want[k]["probability"].get<double>(),
                      1e-7 + 1e-5 * want[k]["probability"].get<double>())
              << preds[i].id << " #" << k;
        }
      }
      // The files utils_qa writes, byte for byte (predictions, null odds).
      const fs::path out = *dir_ / ("out_" + name);
      save_qa_predictions(preds, out, "eval", o.version_2_with_negative);
      for (const auto& [file, text] : s["files"].items())
        EXPECT_EQ(read_file(out / file), text.get<std::string>()) << file;
      EXPECT_TRUE(fs::exists(out / "eval_nbest_predictions.json"));
    }
  }

  static fs::path* dir_;
};

fs::path* QaPostprocessing::dir_ = nullptr;

TEST_F(QaPostprocessing, MiniLM128MatchesUtilsQa) {
  check("minilm_128");
}
TEST_F(QaPostprocessing, Roberta128MatchesUtilsQa) {
  check("roberta_128");
}

TEST_F(QaPostprocessing, IgnoresLogitsPastEachFeature) {
  Case c = load("roberta_128");
  QuestionAnsweringPostprocessing o;
  o.version_2_with_negative = true;
  const auto want = postprocess_qa_predictions(c.examples, c.features, c.start, c.end, o);
  // The -100 padding replaced by large values, and the logits widened: the same answers.
  auto pad = [](const torch::Tensor& t) {
    auto wide = torch::full({t.size(0), t.size(1) + 7}, 1e4f);
    auto real = t != -100.0f;
    wide.narrow(1, 0, t.size(1)).copy_(torch::where(real, t, torch::full_like(t, 1e4f)));
    return wide;
  };
  const auto got = postprocess_qa_predictions(c.examples, c.features, pad(c.start), pad(c.end), o);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].prediction_text, want[i].prediction_text);
    EXPECT_EQ(got[i].null_odds, want[i].null_odds);
  }
}

TEST_F(QaPostprocessing, MetricsFromExamples) {
  Case c = load("minilm_128");
  const auto refs = squad_references(c.examples, "answers");
  ASSERT_EQ(refs.size(), 60u);
  EXPECT_EQ(refs[0].id, c.examples.column_strings("id")[0]);
  EXPECT_EQ(refs[0].answers.text, std::vector<std::string>{"in the late 1990s"});
  EXPECT_EQ(refs[0].answers.answer_start, std::vector<int64_t>{269});
  // Answers taken from the references themselves score 100.
  std::vector<QaPrediction> perfect;
  for (const auto& r : refs) perfect.push_back({r.id, r.answers.text[0], {}, std::nullopt});
  const auto m = compute_qa_metrics(perfect, c.examples, {});
  EXPECT_DOUBLE_EQ(m.at("exact_match"), 100.0);
  EXPECT_DOUBLE_EQ(m.at("f1"), 100.0);
  QuestionAnsweringPostprocessing v2;
  v2.version_2_with_negative = true;
  EXPECT_DOUBLE_EQ(compute_qa_metrics(perfect, c.examples, v2).at("HasAns_exact"), 100.0);
  const auto formatted = squad_predictions(perfect);
  EXPECT_EQ(formatted[3].prediction_text, refs[3].answers.text[0]);
  EXPECT_EQ(formatted[3].no_answer_probability, 0.0);
}

TEST_F(QaPostprocessing, RefusesMismatchedInputs) {
  Case c = load("minilm_128");
  const QuestionAnsweringPostprocessing o;
  EXPECT_THROW(postprocess_qa_predictions(c.examples, c.features, c.start.narrow(0, 0, 3), c.end, o), InvalidArgument);
  EXPECT_THROW(postprocess_qa_predictions(c.examples, c.features, c.start.narrow(1, 0, 50), c.end.narrow(1, 0, 50), o),
               InvalidArgument);  // shorter than the features
  EXPECT_THROW(postprocess_qa_predictions(c.examples.select({0, 1}), c.features, c.start, c.end, o),
               InvalidArgument);  // features of other examples
}

}  // namespace
}  // namespace afinar
