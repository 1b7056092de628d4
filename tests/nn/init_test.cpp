#include "afinar/nn/init.h"

#include <gtest/gtest.h>

namespace afinar {
namespace {

namespace nn = torch::nn;

struct TinyImpl : nn::Module {
  TinyImpl() {
    emb = register_module("emb", nn::Embedding(nn::EmbeddingOptions(50, 16).padding_idx(3)));
    lin = register_module("lin", nn::Linear(16, 400));
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({16})));
  }
  nn::Embedding emb{nullptr};
  nn::Linear lin{nullptr};
  nn::LayerNorm norm{nullptr};
};

TEST(NnInitWeights, AsPreTrainedModelInitWeights) {
  TinyImpl m;
  {
    torch::NoGradGuard g;
    m.norm->weight.fill_(5), m.norm->bias.fill_(5), m.lin->bias.fill_(5);
  }
  torch::manual_seed(0);
  init_weights(m, 0.02);
  EXPECT_TRUE(torch::equal(m.norm->weight, torch::ones({16})));
  EXPECT_TRUE(torch::equal(m.norm->bias, torch::zeros({16})));
  EXPECT_TRUE(torch::equal(m.lin->bias, torch::zeros({400})));
  EXPECT_TRUE(torch::equal(m.emb->weight[3], torch::zeros({16}))) << "the padding row";
  EXPECT_NEAR(m.lin->weight.std().item<double>(), 0.02, 0.001);
  // The same draws as transformers after torch.manual_seed(0): module order, weight then bias.
  torch::manual_seed(0);
  torch::Tensor emb = torch::empty({50, 16}).normal_(0, 0.02);
  EXPECT_TRUE(torch::equal(m.emb->weight[0], emb[0]));
}

TEST(NnInitWeights, OnlyTheNamedParameters) {
  TinyImpl m;
  torch::Tensor before = m.emb->weight.clone();
  std::vector<std::string> only = {"lin.bias", "norm.weight"};
  {
    torch::NoGradGuard g;
    m.norm->weight.fill_(5), m.norm->bias.fill_(5);
  }
  init_weights(m, 0.02, &only);
  EXPECT_TRUE(torch::equal(m.emb->weight, before));
  EXPECT_TRUE(torch::equal(m.norm->weight, torch::ones({16})));
  EXPECT_TRUE(torch::equal(m.norm->bias, torch::full({16}, 5.0))) << "not named";
  EXPECT_TRUE(torch::equal(m.lin->bias, torch::zeros({400})));
}

TEST(NnInitWeights, AFamilyRuleComesFirst) {
  TinyImpl m;
  int seen = 0;
  init_weights(m, 0.02, nullptr, [&](const std::string& prefix, nn::Module& mod, const InitScope& wanted) {
    ++seen;
    if (prefix != "norm") return false;
    torch::NoGradGuard g;
    if (wanted(join_name(prefix, "weight"))) dynamic_cast<nn::LayerNormImpl&>(mod).weight.fill_(2);
    return true;
  });
  EXPECT_EQ(seen, 4) << "the root and its three modules";
  EXPECT_TRUE(torch::equal(m.norm->weight, torch::full({16}, 2.0)));
  EXPECT_EQ(join_name("", "weight"), "weight");
  EXPECT_EQ(join_name("a.b", "bias"), "a.b.bias");
}

}  // namespace
}  // namespace afinar
