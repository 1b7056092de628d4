#include "afinar/nn/masks.h"

#include <gtest/gtest.h>

#include <limits>

#include "afinar/core/check.h"

namespace afinar {
namespace {

const float kMin = std::numeric_limits<float>::lowest();

TEST(NnPaddingAttentionMask, AdditiveOverKeys) {
  torch::Tensor am = torch::tensor({1, 1, 0, 1, 1, 1}, torch::kLong).view({2, 3});
  torch::Tensor m = padding_attention_mask(am, torch::kFloat);
  ASSERT_EQ(m.sizes(), (std::vector<int64_t>{2, 1, 1, 3}));
  EXPECT_EQ(m[0][0][0][2].item<float>(), kMin);
  EXPECT_EQ(m[0][0][0][1].item<float>(), 0.0f);
  EXPECT_EQ(m[1].abs().max().item<float>(), 0.0f);
  EXPECT_FALSE(padding_attention_mask(torch::ones({2, 3}, torch::kLong), torch::kFloat).defined()) << "no padding";
  EXPECT_FALSE(padding_attention_mask({}, torch::kFloat).defined());
  EXPECT_THROW(padding_attention_mask(torch::ones({3}, torch::kLong), torch::kFloat), InvalidArgument);
  EXPECT_TRUE(torch::equal(causal_keep_mask(3, torch::kCPU)[0][0], torch::ones({3, 3}, torch::kBool).tril()));
}

TEST(NnPackedSequences, IdsAndPositionsFromCuSeqLensOrSeqIdx) {
  torch::Tensor cu = torch::tensor({0, 2, 5, 6}, torch::kInt);
  torch::Tensor ids = packed_sequence_ids(cu, {}, 1, 6);
  EXPECT_TRUE(torch::equal(ids, torch::tensor({0, 0, 1, 1, 1, 2}, torch::kLong).view({1, 6})));
  EXPECT_TRUE(torch::equal(packed_sequence_ids({}, ids.to(torch::kInt), 1, 6), ids));
  EXPECT_TRUE(torch::equal(packed_sequence_ids(cu, ids.to(torch::kInt), 1, 6), ids)) << "both, agreeing";
  EXPECT_TRUE(torch::equal(packed_position_ids(ids), torch::tensor({0, 1, 0, 1, 2, 0}, torch::kLong).view({1, 6})));
  EXPECT_THROW(packed_sequence_ids(cu, {}, 1, 7), InvalidArgument) << "offsets must end at the row length";
  EXPECT_THROW(packed_sequence_ids(cu, {}, 2, 6), InvalidArgument) << "cu_seq_lens describes one row";
  EXPECT_THROW(packed_sequence_ids(cu, torch::zeros({1, 6}, torch::kInt), 1, 6), InvalidArgument) << "disagreeing";
  EXPECT_THROW(packed_sequence_ids(torch::tensor({0, 4, 2, 6}, torch::kInt), {}, 1, 6), InvalidArgument);
  EXPECT_THROW(packed_sequence_ids({}, {}, 1, 6), InvalidArgument);
}

TEST(NnBlockDiagonalMask, SequencesSeeOnlyThemselves) {
  torch::Tensor ids = torch::tensor({0, 0, 1, 1, 1}, torch::kLong).view({1, 5});
  torch::Tensor both = block_diagonal_mask(ids, false, torch::kFloat, false).mask[0][0];  // (5, 5) bool
  torch::Tensor want = torch::zeros({5, 5}, torch::kBool);
  want.slice(0, 0, 2).slice(1, 0, 2).fill_(true);
  want.slice(0, 2).slice(1, 2).fill_(true);
  EXPECT_TRUE(torch::equal(both, want));
  torch::Tensor causal = block_diagonal_mask(ids, true, torch::kFloat, false).mask[0][0];
  EXPECT_TRUE(torch::equal(causal, want & torch::ones({5, 5}, torch::kBool).tril()));
  torch::Tensor window = block_diagonal_mask(ids, true, torch::kFloat, false, 2).mask[0][0];
  EXPECT_FALSE(window[4][2].item<bool>()) << "outside the window of 2";
  EXPECT_TRUE(window[4][3].item<bool>());
  AttentionMask add = block_diagonal_mask(ids, true, torch::kFloat, true);
  EXPECT_EQ(add.mask.scalar_type(), torch::kFloat);
  EXPECT_EQ(add.mask[0][0][1][2].item<float>(), kMin);
  EXPECT_EQ(add.mask[0][0][3][2].item<float>(), 0.0f);
  // A key the attention mask drops is dropped for its sequence.
  torch::Tensor am = torch::tensor({1, 1, 1, 0, 1}, torch::kLong).view({1, 5});
  EXPECT_FALSE(block_diagonal_mask(ids, false, torch::kFloat, false, std::nullopt, am).mask[0][0][4][3].item<bool>());
}

TEST(NnCausalAttentionMask, SlidingWindowBecomesMaterialised) {
  AttentionMask none = make_causal_attention_mask({}, 1, 4, torch::kFloat, torch::kCPU, false);
  EXPECT_FALSE(none.mask.defined());
  EXPECT_TRUE(none.is_causal);
  AttentionMask window = make_causal_attention_mask({}, 1, 4, torch::kFloat, torch::kCPU, false, 2);
  ASSERT_TRUE(window.mask.defined());
  EXPECT_FALSE(window.mask[0][0][3][1].item<bool>());
  EXPECT_TRUE(window.mask[0][0][3][2].item<bool>());
}

}  // namespace
}  // namespace afinar
