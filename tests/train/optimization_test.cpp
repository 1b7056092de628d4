#include "afinar/train/optimization.h"

#include <gtest/gtest.h>

#include "afinar/train/training_args.h"

TEST(LRScheduler, LinearWithWarmupAsTransformers) {
  afinar::LRScheduler s("linear", 1.0, 2, 10);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.0);
  EXPECT_DOUBLE_EQ(s.lr(1), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(2), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(6), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(10), 0.0);
  afinar::LRScheduler c("cosine", 1.0, 0, 10);
  EXPECT_NEAR(c.lr(5), 0.5, 1e-12);
  afinar::LRScheduler k("constant_with_warmup", 2.0, 4, 10);
  EXPECT_DOUBLE_EQ(k.lr(2), 1.0);
  EXPECT_DOUBLE_EQ(k.lr(7), 2.0);
}

TEST(Optimizer, DecayGroupsAsTransformers) {
  EXPECT_TRUE(afinar::uses_weight_decay("bert.encoder.layer.0.attention.self.query.weight"));
  EXPECT_FALSE(afinar::uses_weight_decay("bert.encoder.layer.0.attention.self.query.bias"));
  EXPECT_FALSE(afinar::uses_weight_decay("bert.embeddings.LayerNorm.weight"));
}

// The fused and the multi-tensor AdamW agree with each other and with a hand-written step.
TEST(Optimizer, AdamWFusedEqualsForeachEqualsReference) {
  torch::manual_seed(0);
  auto w0 = torch::randn({4, 3});
  auto g = torch::randn({4, 3});
  std::vector<torch::Tensor> results;
  for (const char* optim : {"adamw_torch_fused", "adamw_torch"}) {
    afinar::TrainingArguments a("o");
    a.optim = optim;
    a.learning_rate = 1e-2;
    a.weight_decay = 0.1;
    torch::OrderedDict<std::string, torch::Tensor> params;
    auto w = w0.clone().set_requires_grad(true);
    params.insert("layer.weight", w);
    auto opt = afinar::Optimizer::create(a, params);
    for (int step = 0; step < 3; ++step) {
      w.mutable_grad() = g.clone();
      opt->step();
    }
    results.push_back(w.detach().clone());
  }
  // Reference: PyTorch's AdamW formula, 3 steps with the same gradient.
  auto w = w0.clone(), m = torch::zeros_like(w), v = torch::zeros_like(w);
  for (int t = 1; t <= 3; ++t) {
    w.mul_(1 - 1e-2 * 0.1);
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    auto mhat = m / (1 - std::pow(0.9, t));
    auto denom = (v / (1 - std::pow(0.999, t))).sqrt() + 1e-8;
    w -= 1e-2 * mhat / denom;
  }
  EXPECT_LT((results[0] - w).abs().max().item<double>(), 1e-6);
  EXPECT_LT((results[1] - w).abs().max().item<double>(), 1e-6);
}
