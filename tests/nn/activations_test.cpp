#include "afinar/nn/activations.h"

#include <gtest/gtest.h>

#include <cmath>

#include "afinar/core/check.h"

namespace afinar {
namespace {

TEST(NnActivations, AsAct2Fn) {
  torch::Tensor x = torch::linspace(-4, 4, 33, torch::kDouble);
  EXPECT_TRUE(torch::allclose(apply_activation(x, "gelu"), 0.5 * x * (1 + torch::erf(x / std::sqrt(2.0)))));
  torch::Tensor tanh_form = 0.5 * x * (1 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
  EXPECT_TRUE(torch::allclose(apply_activation(x, "gelu_new"), tanh_form));
  EXPECT_TRUE(torch::allclose(apply_activation(x, "gelu_pytorch_tanh"), tanh_form));
  EXPECT_TRUE(torch::equal(apply_activation(x, "relu"), x.clamp_min(0)));
  EXPECT_TRUE(torch::allclose(apply_activation(x, "silu"), x * torch::sigmoid(x)));
  EXPECT_TRUE(torch::equal(apply_activation(x, "swish"), apply_activation(x, "silu")));
  // gelu_new is not the exact gelu.
  EXPECT_GT((apply_activation(x, "gelu_new") - apply_activation(x, "gelu")).abs().max().item<double>(), 1e-4);
}

TEST(NnActivations, UnknownNamesAreRefused) {
  EXPECT_TRUE(is_supported_activation("gelu_new"));
  EXPECT_FALSE(is_supported_activation("mish"));
  try {
    apply_activation(torch::zeros({2}), "mish");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'mish'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(supported_activations()), std::string::npos);
  }
}

}  // namespace
}  // namespace afinar
