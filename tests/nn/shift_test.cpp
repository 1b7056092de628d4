#include "afinar/nn/shift.h"

#include <gtest/gtest.h>

#include "afinar/core/check.h"

namespace afinar {
namespace {

TEST(NnShiftRight, AsShiftTokensRightAndT5ShiftRight) {
  torch::Tensor labels = torch::tensor({5, 6, 7, -100, 8, -100, -100, -100}, torch::kLong).view({2, 4});
  // BART: pad 1, decoder_start 2; padded labels become pad.
  EXPECT_TRUE(
      torch::equal(shift_right(labels, 1, 2), torch::tensor({2, 5, 6, 7, 2, 8, 1, 1}, torch::kLong).view({2, 4})));
  // T5: pad = decoder_start = 0.
  EXPECT_TRUE(
      torch::equal(shift_right(labels, 0, 0), torch::tensor({0, 5, 6, 7, 0, 8, 0, 0}, torch::kLong).view({2, 4})));
  EXPECT_TRUE(torch::equal(labels, torch::tensor({5, 6, 7, -100, 8, -100, -100, -100}, torch::kLong).view({2, 4})))
      << "the labels are not modified";
  EXPECT_THROW(shift_right(torch::zeros({4}, torch::kLong), 0, 0), InvalidArgument);
}

}  // namespace
}  // namespace afinar
