#include "afinar/train/optimization.h"

#include <gtest/gtest.h>

#include "afinar_test_paths.h"

#include <fstream>
#include <iostream>

#include "afinar/core/check.h"

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

namespace {

nlohmann::json breadth_fixture() {
  std::ifstream in(std::string(AFINAR_FIXTURES_DIR) + "/train/breadth.json");
  return nlohmann::json::parse(in);
}

torch::Tensor from_flat(const nlohmann::json& values, const nlohmann::json& shape) {
  return torch::tensor(values.get<std::vector<float>>()).reshape(shape.get<std::vector<int64_t>>());
}

}  // namespace

// adagrad (torch.optim.Adagrad) and adafactor (transformers' Adafactor as the Trainer builds it)
// follow the real optimizers step by step: 6 steps over 4 parameters of rank 1-3, two decay groups.
// Halfway, the state goes through state_dict/load_state_dict into a fresh optimizer.
TEST(Optimizer, AdagradAdafactorSgdMatchPyTorchStepByStep) {
  const auto fx = breadth_fixture()["optimizers"];
  for (const auto& c : fx["cases"]) {
    const std::string optim = c["optim"];
    SCOPED_TRACE(optim);
    afinar::TrainingArguments a("o");
    a.optim = optim;
    a.learning_rate = c["learning_rate"];
    a.weight_decay = c["weight_decay"];
    torch::OrderedDict<std::string, torch::Tensor> params;
    for (const auto& [name, shape] : fx["shapes"].items())
      params.insert(name, from_flat(fx["init"][name], shape).set_requires_grad(true));
    auto opt = afinar::Optimizer::create(a, params);
    double worst = 0;
    for (size_t step = 0; step < fx["grads"].size(); ++step) {
      if (step == 3) {  // checkpoint round trip: a fresh optimizer continues from the saved state
        auto state = opt->state_dict();
        std::map<std::string, torch::Tensor> copy;
        for (const auto& [k, v] : state) copy[k] = v.clone();
        opt = afinar::Optimizer::create(a, params);
        opt->load_state_dict(copy);
      }
      for (auto& p : params) p.value().mutable_grad() = from_flat(fx["grads"][step][p.key()], fx["shapes"][p.key()]);
      opt->step();
      for (auto& p : params) {
        auto want = from_flat(c["params_after_step"][step][p.key()], fx["shapes"][p.key()]);
        const double rel = ((p.value().detach() - want).abs() / want.abs().clamp_min(1e-6)).max().item<double>();
        worst = std::max(worst, rel);
        EXPECT_LT(rel, 1e-6) << p.key() << " after step " << step + 1;
      }
    }
    if (optim != "sgd") {
      EXPECT_FALSE(opt->state_dict().empty());
    }
    std::cout << optim << ": max relative diff over 6 steps " << worst << "\n";
  }
}

// Every get_scheduler schedule, per step and a few steps past the end, to 1e-12.
TEST(LRScheduler, EveryScheduleMatchesGetScheduler) {
  const auto fx = breadth_fixture()["schedules"];
  ASSERT_GE(fx.size(), 14u);
  for (const auto& c : fx) {
    SCOPED_TRACE(c["type"].get<std::string>() + " " + c["kwargs"].dump());
    afinar::LRScheduler s(c["type"], c["base_lr"], c["warmup"], c["total"], c["kwargs"]);
    const auto& lrs = c["lrs"];
    for (size_t step = 0; step < lrs.size(); ++step)
      EXPECT_NEAR(s.lr(static_cast<int64_t>(step)), lrs[step].get<double>(), 1e-12) << "step " << step;
  }
}

// torch's ReduceLROnPlateau (HF's defaults and with kwargs), stepped per evaluation metric, and
// its state survives a checkpoint round trip.
TEST(LRScheduler, ReduceLROnPlateauMatchesTorch) {
  const auto fx = breadth_fixture()["plateau"];
  for (const auto& c : fx) {
    SCOPED_TRACE(c["kwargs"].dump());
    auto s = std::make_unique<afinar::LRScheduler>("reduce_lr_on_plateau", c["base_lr"], 0, 100, c["kwargs"]);
    const auto& m = c["metrics"];
    int reductions = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      if (i == 7) {
        auto st = nlohmann::json::parse(s->state_dict().dump());
        s = std::make_unique<afinar::LRScheduler>("reduce_lr_on_plateau", c["base_lr"], 0, 100, c["kwargs"]);
        s->load_state_dict(st);
      }
      const double before = s->lr(0);
      s->step_metric(m[i]);
      reductions += s->lr(0) < before;
      EXPECT_NEAR(s->lr(int64_t(i)), c["lrs_after"][i].get<double>(), 1e-15) << "evaluation " << i;
    }
    EXPECT_GE(reductions, 1);
  }
}

TEST(LRScheduler, RefusesUnknownKwargsAndTypes) {
  EXPECT_THROW(afinar::LRScheduler("linear", 1e-3, 0, 10, {{"num_cycles", 2}}), afinar::InvalidArgument);
  EXPECT_THROW(afinar::LRScheduler("polynomial", 1e-3, 0, 10, {{"lr_end", 1e-2}}), afinar::InvalidArgument);
  EXPECT_THROW(afinar::LRScheduler("cosine_with_min_lr", 1e-3, 0, 10), afinar::InvalidArgument);
  EXPECT_THROW(afinar::LRScheduler("greedy", 1e-3, 0, 10), afinar::NotImplemented);
  afinar::TrainingArguments a("o");
  a.set("lr_scheduler_kwargs", R"({"num_cycles": 3})");
  EXPECT_EQ(a.lr_scheduler_kwargs["num_cycles"], 3);
  EXPECT_THROW(a.set("lr_scheduler_kwargs", "{num_cycles"), afinar::InvalidArgument);
  a.lr_scheduler_type = "reduce_lr_on_plateau";
  EXPECT_THROW(a.finalize(), afinar::InvalidArgument);  // HF: requires an eval strategy
  a.lr_scheduler_kwargs = nullptr;
  a.eval_strategy = "epoch";
  a.save_strategy = "epoch";
  a.finalize();
  EXPECT_EQ(*a.metric_for_best_model, "loss");
  a.report_to = {"wandb"};
  try {
    a.finalize();
    FAIL() << "report_to wandb accepted";
  } catch (const afinar::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("wandb"), std::string::npos);
  }
}
