#include "afinar/nn/attention.h"

#include <gtest/gtest.h>

#include "afinar/nn/masks.h"

namespace afinar {
namespace {

bool close(const torch::Tensor& a, const torch::Tensor& b) {
  return torch::allclose(a, b, 1e-4, 1e-5);
}

class NnDotProductAttention : public testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    q = torch::randn({2, 4, 5, 8}), k = torch::randn({2, 4, 5, 8}), v = torch::randn({2, 4, 5, 8});
  }
  torch::Tensor q, k, v;
  const double scale = 0.35;
};

TEST_F(NnDotProductAttention, EagerEqualsSdpaForEveryMaskKind) {
  torch::Tensor am = torch::tensor({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, torch::kLong).view({2, 5});
  torch::Tensor ids = torch::tensor({0, 0, 1, 1, 1, 0, 1, 1, 2, 2}, torch::kLong).view({2, 5});
  const std::vector<AttentionMask> masks = {
      {},
      {padding_attention_mask(am, torch::kFloat)},                                    // additive (B, 1, 1, T)
      make_causal_attention_mask({}, 2, 5, torch::kFloat, torch::kCPU, false),        // is_causal
      make_causal_attention_mask(am, 2, 5, torch::kFloat, torch::kCPU, false),        // bool (B, 1, T, T)
      block_diagonal_mask(ids, /*causal=*/false, torch::kFloat, /*additive=*/false),  // packed, both ways
      block_diagonal_mask(ids, /*causal=*/true, torch::kFloat, /*additive=*/true),    // packed, causal
  };
  for (size_t i = 0; i < masks.size(); ++i) {
    torch::Tensor sdpa = dot_product_attention(q, k, v, masks[i], scale, 0.0, false);
    torch::Tensor eager = dot_product_attention(q, k, v, masks[i], scale, 0.0, false, /*eager=*/true);
    EXPECT_TRUE(close(sdpa, eager)) << "mask " << i;
  }
  // Written out: softmax(q·kᵀ·scale)·v.
  torch::Tensor want = torch::matmul(torch::softmax(torch::matmul(q, k.transpose(-1, -2)) * scale, -1), v);
  EXPECT_TRUE(close(dot_product_attention(q, k, v, {}, scale, 0.0, false), want));
  // is_causal equals the materialised causal mask.
  AttentionMask causal = make_causal_attention_mask({}, 2, 5, torch::kFloat, torch::kCPU, /*eager=*/true);
  EXPECT_TRUE(close(dot_product_attention(q, k, v, causal, scale, 0.0, false),
                    dot_product_attention(q, k, v, masks[2], scale, 0.0, false)));
}

TEST_F(NnDotProductAttention, DropoutOnlyInTraining) {
  torch::Tensor eval = dot_product_attention(q, k, v, {}, scale, 0.5, /*training=*/false);
  EXPECT_TRUE(close(eval, dot_product_attention(q, k, v, {}, scale, 0.0, false)));
  torch::manual_seed(1);
  torch::Tensor train = dot_product_attention(q, k, v, {}, scale, 0.5, /*training=*/true, /*eager=*/true);
  EXPECT_FALSE(close(train, eval));
}

}  // namespace
}  // namespace afinar
