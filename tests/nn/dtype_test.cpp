#include "afinar/nn/dtype.h"

#include <gtest/gtest.h>

#include <limits>

#include "afinar/core/check.h"

namespace afinar {
namespace {

TEST(NnFinfoMin, AsTorchFinfo) {  // torch.finfo(dtype).min
  EXPECT_EQ(finfo_min(torch::kFloat), std::numeric_limits<float>::lowest());
  EXPECT_EQ(finfo_min(torch::kDouble), std::numeric_limits<double>::lowest());
  EXPECT_EQ(finfo_min(torch::kHalf), -65504.0);
  EXPECT_EQ(finfo_min(torch::kBFloat16), -3.3895313892515355e38);
  // Representable in its dtype: a mask of it is not -inf.
  EXPECT_TRUE(torch::isfinite(torch::full({}, finfo_min(torch::kHalf), torch::kHalf)).item<bool>());
  EXPECT_TRUE(torch::isfinite(torch::full({}, finfo_min(torch::kBFloat16), torch::kBFloat16)).item<bool>());
  EXPECT_THROW(finfo_min(torch::kLong), InvalidArgument);
}

}  // namespace
}  // namespace afinar
