// Heads own their loss (ModelInputs::loss_kwargs): label smoothing equals transformers'
// LabelSmoother on fixtures from tools/oracle/models_loss_kwargs_fixtures.py, with and without
// num_items_in_batch; for every family × head, micro-batches normalised by the whole batch's
// num_items_in_batch add up to the full batch's gradients (gradient accumulation); the heads that
// cannot smooth refuse; exactly the causal LMs shift their labels.
#include <gtest/gtest.h>

#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/io/safetensors.h"
#include "afinar_test_paths.h"
#include "models/tiny_models.h"
#include "testing/assert_close.h"

namespace afinar {
namespace {

using tiny::Kind;
using tiny::TinyHead;

const fs::path kFixtures = fs::path(AFINAR_FIXTURES_DIR) / "models";

using Loader = PreTrainedModel (*)(const std::string&, const FromPretrainedOptions&);

struct OracleCase {
  const char* fixture;  ///< checkpoint tests/fixtures/models/<fixture>, expectations loss_kwargs/<fixture>.safetensors
  Loader load;
};

std::ostream& operator<<(std::ostream& os, const OracleCase& c) {
  return os << c.fixture;
}

class LabelSmootherOracle : public testing::TestWithParam<OracleCase> {};

ModelInputs oracle_inputs(const io::TensorMap& e) {
  auto get = [&](const char* k) { return e.count(k) ? e.at(k) : torch::Tensor(); };
  ModelInputs in;
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  in.token_type_ids = get("token_type_ids");
  in.decoder_attention_mask = get("decoder_attention_mask");
  in.labels = get("labels");  // seq2seq: the model builds decoder_input_ids from them (padded with -100)
  return in;
}

TEST_P(LabelSmootherOracle, EqualsTransformersLabelSmoother) {
  const OracleCase& c = GetParam();
  testing::internal::CaptureStderr();
  PreTrainedModel model = c.load((kFixtures / c.fixture).string(), {});
  testing::internal::GetCapturedStderr();
  const io::TensorMap e = io::load_safetensors(kFixtures / "loss_kwargs" / (std::string(c.fixture) + ".safetensors"));
  ModelInputs in = oracle_inputs(e);
  in.loss_kwargs.label_smoothing_factor = 0.1;
  ModelOutputs out = model->forward(in);
  EXPECT_TRUE(afinar_test::assert_close(out.loss.reshape({1}), e.at("loss"), afinar_test::kFp32Outputs,
                                        std::string(c.fixture) + " smoothed loss"));
  std::cout << c.fixture << ": smoothed loss " << out.loss.item<double>() << " (transformers "
            << e.at("loss").item<double>() << ")\n";
  out.loss.backward();
  afinar_test::expect_gradients_close(*model, e, afinar_test::kFp32Gradients, std::string(c.fixture) + " smoothed",
                                      /*absent_means_zero=*/true);

  // With the Trainer's num_items_in_batch: (1 − ε)·Σ nll / n + ε·Σ smooth / (n·C).
  torch::NoGradGuard no_grad;
  in.loss_kwargs.num_items_in_batch = e.at("nib").item<double>();
  EXPECT_TRUE(afinar_test::assert_close(model->forward(in).loss.reshape({1}), e.at("loss_nib"),
                                        afinar_test::kFp32Outputs, std::string(c.fixture) + " smoothed loss / nib"));
}

INSTANTIATE_TEST_SUITE_P(
    Heads, LabelSmootherOracle,
    testing::Values(OracleCase{"tiny_bert", &AutoModelForSequenceClassification::from_pretrained},
                    OracleCase{"tiny_bert_token", &AutoModelForTokenClassification::from_pretrained},
                    OracleCase{"tiny_bert_mlm", &AutoModelForMaskedLM::from_pretrained},
                    OracleCase{"tiny_gpt2_lm", &AutoModelForCausalLM::from_pretrained},
                    OracleCase{"tiny_llama_lm", &AutoModelForCausalLM::from_pretrained},
                    OracleCase{"tiny_t5", &AutoModelForSeq2SeqLM::from_pretrained},
                    OracleCase{"tiny_bart", &AutoModelForSeq2SeqLM::from_pretrained}),
    [](const testing::TestParamInfo<OracleCase>& info) { return std::string(info.param.fixture); });

// ---------------------------------------------------------------------------------------------
// Gradient accumulation: micro-batches with the whole batch's num_items_in_batch.

/// Gradients tolerance of two float32 computations of the same sums split differently: a few eps32
/// of the gradients' size (≤ 1), with 100× margin.
constexpr afinar_test::Tolerance kSplitGradients{1e-6, 1e-5};

std::map<std::string, torch::Tensor> gradients(PreTrainedModel& model, const std::vector<ModelInputs>& micro) {
  for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
  for (const ModelInputs& in : micro) model->forward(in).loss.backward();  // gradients accumulate
  std::map<std::string, torch::Tensor> g;
  for (const auto& p : model->named_parameters())
    if (p.value().grad().defined()) g["grad." + p.key()] = p.value().grad().clone();
  return g;
}

void expect_accumulation_equals_full_batch(const TinyHead& h, PreTrainedModel& model, ModelInputs full,
                                           double smoothing, const std::string& label) {
  full.loss_kwargs.label_smoothing_factor = smoothing;
  const std::map<std::string, torch::Tensor> want = gradients(model, {full});
  ModelInputs a = tiny::rows(full, 0, 2), b = tiny::rows(full, 2, full.input_ids.size(0));
  const double n = static_cast<double>(model->num_loss_items(full));
  EXPECT_EQ(model->num_loss_items(a) + model->num_loss_items(b), static_cast<int64_t>(n)) << label;
  a.loss_kwargs.num_items_in_batch = b.loss_kwargs.num_items_in_batch = n;
  const std::map<std::string, torch::Tensor> got = gradients(model, {a, b});
  ASSERT_EQ(got.size(), want.size()) << label;
  for (const auto& [name, g] : want)
    EXPECT_TRUE(afinar_test::assert_close(got.at(name), g, kSplitGradients, label + " " + name));
}

bool smooths(Kind k) {
  return k != Kind::kQuestionAnswering;
}

class Accumulation : public testing::TestWithParam<TinyHead> {};

TEST_P(Accumulation, MicroBatchGradientsAddUpToTheFullBatch) {
  const TinyHead& h = GetParam();
  torch::manual_seed(3);
  PreTrainedModel model = h.make();
  const ModelInputs full = tiny::padded_batch(h, {7, 4, 6, 3}, {5, 2, 4, 3});
  expect_accumulation_equals_full_batch(h, model, full, 0.0, h.name);
  if (smooths(h.kind)) expect_accumulation_equals_full_batch(h, model, full, 0.1, h.name + " smoothed");
}

TEST_P(Accumulation, WithoutKwargsTheLossIsTheMean) {
  const TinyHead& h = GetParam();
  torch::manual_seed(3);
  PreTrainedModel model = h.make();
  torch::NoGradGuard no_grad;
  ModelInputs in = tiny::padded_batch(h, {7, 4, 6, 3}, {5, 2, 4, 3});
  const double mean = model->forward(in).loss.item<double>();
  in.loss_kwargs.num_items_in_batch = static_cast<double>(model->num_loss_items(in));
  EXPECT_NEAR(model->forward(in).loss.item<double>(), mean, 1e-6 * std::max(1.0, mean)) << h.name;
  in.loss_kwargs.num_items_in_batch = 2.0 * *in.loss_kwargs.num_items_in_batch;  // a batch twice as large
  EXPECT_NEAR(model->forward(in).loss.item<double>(), mean / 2, 1e-6 * std::max(1.0, mean)) << h.name;
}

INSTANTIATE_TEST_SUITE_P(Models, Accumulation, testing::ValuesIn(tiny::all_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

class LossSmoothingRefused : public testing::TestWithParam<TinyHead> {};

TEST_P(LossSmoothingRefused, QuestionAnsweringNamesTheHead) {
  const TinyHead& h = GetParam();
  PreTrainedModel model = h.make();
  ModelInputs in = tiny::padded_batch(h, {7, 4}, {});
  in.loss_kwargs.label_smoothing_factor = 0.1;
  try {
    model->forward(in);
    ADD_FAILURE() << h.name << " smoothed start/end positions";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(h.name + ": label_smoothing_factor 0.1 cannot apply to question answering"),
              std::string::npos)
        << e.what();
  }
}

std::vector<TinyHead> question_answering_heads() {
  std::vector<TinyHead> out;
  for (const auto& h : tiny::all_heads())
    if (h.kind == Kind::kQuestionAnswering) out.push_back(h);
  return out;
}

INSTANTIATE_TEST_SUITE_P(QuestionAnswering, LossSmoothingRefused, testing::ValuesIn(question_answering_heads()),
                         [](const testing::TestParamInfo<TinyHead>& info) { return info.param.name; });

// Regression and multi-label sequence classification: the sum over all elements / (n · outputs).
TEST(LossAccumulation, RegressionAndMultiLabel) {
  for (const char* problem : {"regression", "multi_label_classification"}) {
    const bool regression = std::string(problem) == "regression";
    TinyHead h = tiny::all_heads()[0];  // BertForSequenceClassification
    torch::manual_seed(4);
    BertConfig c = tiny::bert_config(regression ? 1 : 3);
    c.problem_type = problem;
    PreTrainedModel model = std::make_shared<BertForSequenceClassificationImpl>(c);
    model->eval();
    ModelInputs full = tiny::padded_batch(h, {7, 4, 6, 3}, {});
    full.labels = regression ? torch::randn({4}) : torch::randint(0, 2, {4, 3}).to(torch::kFloat);
    EXPECT_EQ(model->num_loss_items(full), 4) << "one item per row";
    expect_accumulation_equals_full_batch(h, model, full, 0.0, problem);
    full.loss_kwargs.label_smoothing_factor = 0.1;
    try {
      model->forward(full);
      ADD_FAILURE() << problem << " smoothed";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(
          std::string(e.what()).find("BertForSequenceClassification: label_smoothing_factor 0.1 cannot apply to " +
                                     std::string(problem)),
          std::string::npos)
          << e.what();
    }
  }
}

// The one place that decides whether a head's loss shifts its labels.
TEST(LossShiftsLabels, ExactlyTheCausalLanguageModelsThatShift) {
  const std::set<std::string> shifting = {"GPT2LMHeadModel", "LlamaForCausalLM", "MistralForCausalLM",
                                          "BertLMHeadModel", "RobertaForCausalLM"};
  for (const TinyHead& h : tiny::all_heads()) {
    PreTrainedModel model = h.make();
    EXPECT_EQ(model->shifts_labels(), shifting.count(h.name) == 1) << h.name;
    if (h.kind != Kind::kCausalLM) continue;
    // The loss follows it: with the shift, the first label is never a target; without, it is.
    torch::NoGradGuard no_grad;
    ModelInputs in = tiny::padded_batch(h, {6, 6}, {});
    ModelOutputs out = model->forward(in);
    ModelInputs changed = in;
    changed.labels = in.labels.clone();
    torch::Tensor first = changed.labels.select(1, 0);
    first.copy_((first - 2).remainder(96) + 3);  // another id in [3, 99)
    EXPECT_EQ(model->forward(changed).loss.item<double>() == out.loss.item<double>(), model->shifts_labels()) << h.name;
    EXPECT_EQ(model->num_loss_items(in), model->shifts_labels() ? 10 : 12) << h.name;
  }
}

}  // namespace
}  // namespace afinar
