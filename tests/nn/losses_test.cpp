// The heads' losses against their definitions (transformers' fixed_cross_entropy, ForCausalLMLoss,
// trainer_pt_utils.LabelSmoother written out in float64); the heads' numbers against transformers
// are in tests/models/loss_kwargs_test.cpp.
#include "afinar/nn/losses.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"

namespace afinar {
namespace {

double d(const torch::Tensor& t) {
  return t.item<double>();
}

LossKwargs kwargs(std::optional<double> num_items, double smoothing = 0) {
  LossKwargs kw;
  kw.num_items_in_batch = num_items;
  kw.label_smoothing_factor = smoothing;
  return kw;
}

class NnLosses : public testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    logits = torch::randn({6, 4}, torch::kDouble);
    targets = torch::tensor({0, 3, -100, 1, 2, -100}, torch::kLong);
  }
  /// −log p(target) of the kept rows, and mean over classes of −log p.
  std::pair<torch::Tensor, torch::Tensor> nll_and_smooth() const {
    torch::Tensor keep = targets.ne(-100);
    torch::Tensor lp = -torch::log_softmax(logits, -1).index({keep});  // (n, C)
    return {lp.gather(1, targets.index({keep}).unsqueeze(1)).squeeze(1), lp.mean(1)};
  }
  torch::Tensor logits, targets;
};

TEST_F(NnLosses, CrossEntropyNormalisation) {
  auto [nll, smooth] = nll_and_smooth();
  EXPECT_NEAR(d(fixed_cross_entropy(logits, targets)), d(nll.mean()), 1e-12);
  EXPECT_NEAR(d(fixed_cross_entropy(logits, targets, kwargs(10))), d(nll.sum()) / 10, 1e-12);
  const double eps = 0.1;
  EXPECT_NEAR(d(fixed_cross_entropy(logits, targets, kwargs(std::nullopt, eps))),
              (1 - eps) * d(nll.mean()) + eps * d(smooth.mean()), 1e-6);  // the smoothing sum is float32
  EXPECT_NEAR(d(fixed_cross_entropy(logits, targets, kwargs(10, eps))),
              (1 - eps) * d(nll.sum()) / 10 + eps * d(smooth.sum()) / 10, 1e-6);
  EXPECT_THROW(fixed_cross_entropy(logits, targets, kwargs(std::nullopt, 1.5)), InvalidArgument);
  EXPECT_THROW(fixed_cross_entropy(logits, targets, kwargs(0)), InvalidArgument);
}

TEST_F(NnLosses, CausalLmShiftsInside) {
  torch::Tensor lm = torch::randn({2, 4, 5});
  torch::Tensor labels = torch::tensor({1, 2, 3, 4, 0, 1, -100, -100}, torch::kLong).view({2, 4});
  // Position t predicts labels[t + 1]: targets (2, 3), the last position none.
  torch::Tensor want = fixed_cross_entropy(lm.slice(1, 0, 3).reshape({-1, 5}), labels.slice(1, 1).reshape({-1}));
  EXPECT_NEAR(d(causal_lm_loss(lm, labels)), d(want), 1e-6);
  LossKwargs kw = kwargs(7, 0.2);
  torch::Tensor want_kw = fixed_cross_entropy(lm.slice(1, 0, 3).reshape({-1, 5}), labels.slice(1, 1).reshape({-1}), kw);
  EXPECT_NEAR(d(causal_lm_loss(lm, labels, kw)), d(want_kw), 1e-6);
  EXPECT_NEAR(d(token_classification_loss(lm, labels)),
              d(fixed_cross_entropy(lm.reshape({-1, 5}), labels.reshape({-1}))), 1e-6)
      << "no shift for token labels";
  EXPECT_THROW(causal_lm_loss(lm, labels.slice(1, 0, 3)), InvalidArgument);
}

TEST_F(NnLosses, SequenceClassificationProblemTypes) {
  torch::Tensor l = logits.slice(0, 0, 4).to(torch::kFloat);  // (4, 4)
  torch::Tensor multi = torch::randint(0, 2, {4, 4}).to(torch::kFloat);
  const double mean = d(sequence_classification_loss(l, multi, "multi_label_classification"));
  // num_items = rows: Σ over all elements / (n·C) is the mean; twice the rows halves it.
  EXPECT_NEAR(d(sequence_classification_loss(l, multi, "multi_label_classification", kwargs(4))), mean, 1e-6);
  EXPECT_NEAR(d(sequence_classification_loss(l, multi, "multi_label_classification", kwargs(8))), mean / 2, 1e-6);
  torch::Tensor one = l.slice(1, 0, 1), y = torch::randn({4});
  const double mse = d(sequence_classification_loss(one, y, "regression"));
  EXPECT_NEAR(mse, d((one.squeeze() - y).pow(2).mean()), 1e-6);
  EXPECT_NEAR(d(sequence_classification_loss(one, y, "regression", kwargs(4))), mse, 1e-6);
  for (const char* p : {"regression", "multi_label_classification"}) {
    try {
      sequence_classification_loss(p == std::string("regression") ? one : l, p == std::string("regression") ? y : multi,
                                   p, kwargs(std::nullopt, 0.1), "MyHead");
      ADD_FAILURE() << p;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("MyHead: label_smoothing_factor 0.1 cannot apply to"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("HINT"), std::string::npos);
    }
  }
  EXPECT_THROW(sequence_classification_loss(l, multi, "ranking"), InvalidArgument);
  EXPECT_EQ(infer_problem_type(1, torch::zeros({2})), "regression");
  EXPECT_EQ(infer_problem_type(3, torch::zeros({2}, torch::kLong)), "single_label_classification");
}

TEST_F(NnLosses, QuestionAnsweringIgnoresOutsideAnswers) {
  torch::Tensor s = torch::randn({3, 5}), e = torch::randn({3, 5});
  torch::Tensor sp = torch::tensor({1, 4, 9}, torch::kLong), ep = torch::tensor({2, 4, 9}, torch::kLong);
  auto ce = [](const torch::Tensor& l, int64_t r, int64_t t) { return -d(torch::log_softmax(l[r], -1)[t]); };
  // Row 2's answer is outside the sequence (clamped to T = 5, ignored).
  const double want = ((ce(s, 0, 1) + ce(s, 1, 4)) / 2 + (ce(e, 0, 2) + ce(e, 1, 4)) / 2) / 2;
  EXPECT_NEAR(d(question_answering_loss(s, e, sp, ep)), want, 1e-5);
  const double sum = ce(s, 0, 1) + ce(s, 1, 4) + ce(e, 0, 2) + ce(e, 1, 4);
  EXPECT_NEAR(d(question_answering_loss(s, e, sp, ep, kwargs(3))), sum / 6, 1e-5);
  EXPECT_THROW(question_answering_loss(s, e, sp, ep, kwargs(std::nullopt, 0.1)), InvalidArgument);
}

}  // namespace
}  // namespace afinar
