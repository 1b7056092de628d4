#include "afinar/nn/bert_encoder.h"

#include <gtest/gtest.h>

#include <limits>

#include "afinar/nn/masks.h"

namespace afinar {
namespace {

BertEncoderOptions tiny() {
  BertEncoderOptions o;
  o.hidden_size = 32, o.num_attention_heads = 4, o.intermediate_size = 37, o.num_hidden_layers = 2;
  return o;
}

TEST(NnBertEncoder, ModuleNamesAreTransformers) {
  BertEncoder enc(tiny());
  std::vector<std::string> names;
  for (const auto& p : enc->named_parameters()) names.push_back(p.key());
  EXPECT_EQ(names.size(), 2u * 16);
  EXPECT_EQ(names.front(), "layer.0.attention.self.query.weight");
  EXPECT_EQ(names.back(), "layer.1.output.LayerNorm.bias");
  BertPooler pooler(32);
  EXPECT_EQ(pooler->named_parameters().begin()->key(), "dense.weight");
}

TEST(NnBertEncoder, EagerEqualsSdpaAndMasksPadding) {
  torch::manual_seed(0);
  BertEncoder enc(tiny());
  enc->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({2, 5, 32});
  torch::Tensor am = torch::tensor({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, torch::kLong).view({2, 5});
  torch::Tensor mask = bert_attention_mask(am, {}, false, 2, 5, torch::kFloat, torch::kCPU);
  torch::Tensor sdpa = enc(x, mask);
  for (const auto& m : enc->modules())
    if (auto* a = dynamic_cast<BertSelfAttentionImpl*>(m.get())) a->eager = true;
  EXPECT_TRUE(torch::allclose(enc(x, mask), sdpa, 1e-4, 1e-5));
  // Row 1's first three tokens do not see its padding: the same as the row cut to 3 tokens.
  torch::Tensor cut = enc(x.slice(0, 1, 2).slice(1, 0, 3), torch::Tensor());
  EXPECT_TRUE(torch::allclose(sdpa.slice(0, 1, 2).slice(1, 0, 3), cut, 1e-4, 1e-5));
}

TEST(NnBertEncoder, AttentionMaskForms) {
  torch::Tensor am = torch::tensor({1, 1, 0}, torch::kLong).view({1, 3});
  EXPECT_EQ(bert_attention_mask(am, {}, false, 1, 3, torch::kFloat, torch::kCPU).sizes(),
            (std::vector<int64_t>{1, 1, 1, 3}));
  EXPECT_FALSE(bert_attention_mask({}, {}, false, 1, 3, torch::kFloat, torch::kCPU).defined());
  torch::Tensor causal = bert_attention_mask({}, {}, true, 1, 3, torch::kFloat, torch::kCPU);
  EXPECT_EQ(causal.sizes(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(causal[0][0][0][1].item<float>(), std::numeric_limits<float>::lowest());
  torch::Tensor seq = torch::tensor({0, 0, 1}, torch::kLong).view({1, 3});
  torch::Tensor packed = bert_attention_mask({}, seq, false, 1, 3, torch::kFloat, torch::kCPU);
  EXPECT_EQ(packed[0][0][0][1].item<float>(), 0.0f);
  EXPECT_EQ(packed[0][0][0][2].item<float>(), std::numeric_limits<float>::lowest());
}

}  // namespace
}  // namespace afinar
