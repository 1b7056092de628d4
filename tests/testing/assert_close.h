// torch.testing.assert_close for GoogleTest: elementwise |actual − expected| <= atol + rtol·|expected|,
// with the tolerances stated per dtype and use. Shared by every module's tests (tests/ is on the
// include path: #include "testing/assert_close.h").
//
//   EXPECT_TRUE(afinar_test::assert_close(p.grad(), want, afinar_test::kFp32Gradients, p.key()));
//   afinar_test::expect_gradients_close(*model, fixture, afinar_test::kFp32Gradients, "tiny_bert_qa");
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

namespace afinar_test {

struct Tolerance {
  double atol;
  double rtol;
};

/// fp32 gradients against transformers' fixtures, computed on another CPU (AMD Zen 4 and Intel Xeon
/// with AMX block their float32 GEMMs and reductions differently). A reduction over K terms carries
/// an error of about √K·eps32 (eps32 = 1.2e-7) relative to the magnitude of its terms; the tiny
/// models reduce over K ≲ 1,500 (batch·tokens·hidden), so ≈ 5e-6 of the terms' size. rtol 1e-4 bounds
/// that on well-conditioned entries with 20× margin. A gradient that cancels to near zero (a bias
/// gradient Σ_t (p_t − y_t) over terms of size ≤ 1) keeps the absolute error of its terms, not a
/// relative one: atol 1e-5 bounds it with ≈ 10× margin (the qa_outputs.bias case: exact logits and
/// loss, a relative difference of 0.022 on a gradient of 1e-6).
inline constexpr Tolerance kFp32Gradients{1e-5, 1e-4};

/// fp32 outputs of two computations that differ only in their batching or kernel path (padding vs
/// one row at a time, packed vs alone, sdpa vs eager): the same reasoning over a forward pass.
inline constexpr Tolerance kFp32Outputs{1e-5, 1e-4};

/// actual and expected (any dtypes, compared in float64) have the same shape and every element
/// satisfies |a − e| <= atol + rtol·|e| (NaN never does). The failure message names `what`, the
/// number of mismatches, the worst element and its bound.
inline ::testing::AssertionResult assert_close(const torch::Tensor& actual, const torch::Tensor& expected,
                                               Tolerance tol, const std::string& what = "tensor") {
  if (!actual.defined() || !expected.defined())
    return ::testing::AssertionFailure() << what << ": " << (actual.defined() ? "expected" : "actual")
                                         << " is undefined";
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure() << what << ": shape " << actual.sizes() << " != expected " << expected.sizes();
  torch::Tensor a = actual.detach().to(torch::kCPU, torch::kDouble),
                e = expected.detach().to(torch::kCPU, torch::kDouble);
  torch::Tensor diff = (a - e).abs(), bound = tol.atol + tol.rtol * e.abs();
  torch::Tensor bad = (diff > bound).logical_or(diff.isnan());
  const int64_t mismatches = bad.sum().item<int64_t>();
  if (mismatches == 0) return ::testing::AssertionSuccess();
  const int64_t worst =
      (diff - bound).nan_to_num(std::numeric_limits<double>::infinity()).flatten().argmax().item<int64_t>();
  std::ostringstream os;
  os << what << ": " << mismatches << " of " << a.numel() << " elements differ beyond atol " << tol.atol << " + rtol "
     << tol.rtol << "·|expected|; worst at flat index " << worst << ": actual " << a.flatten()[worst].item<double>()
     << ", expected " << e.flatten()[worst].item<double>() << ", |diff| " << diff.flatten()[worst].item<double>()
     << " > bound " << bound.flatten()[worst].item<double>();
  return ::testing::AssertionFailure() << os.str();
}

/// Every trainable parameter's gradient against fixture["grad.<name>"] with assert_close, and
/// every fixture gradient matched by one; returns the number compared. A parameter the fixture has
/// no gradient for fails, unless `absent_means_zero` (transformers computes none there, e.g. an
/// unused cross-attention): then its gradient must be undefined or zero. Prints the largest |diff|
/// and the largest |diff| / (atol + rtol·|expected|) (≤ 1 passes).
template <typename Module>
int64_t expect_gradients_close(Module& model, const std::map<std::string, torch::Tensor>& fixture, Tolerance tol,
                               const std::string& label, bool absent_means_zero = false) {
  int64_t compared = 0;
  double worst_abs = 0, worst_ratio = 0;
  std::string worst_name;
  for (const auto& p : model.named_parameters()) {
    const torch::Tensor& g = p.value().grad();
    auto it = fixture.find("grad." + p.key());
    if (!p.value().requires_grad()) {  // frozen (BART's final_logits_bias: a buffer in transformers)
      EXPECT_TRUE(it == fixture.end()) << label << ": " << p.key() << " is frozen but the fixture has a gradient";
      continue;
    }
    if (it == fixture.end()) {
      EXPECT_TRUE(absent_means_zero) << label << ": no fixture gradient for " << p.key();
      EXPECT_TRUE(!g.defined() || g.abs().max().item<double>() == 0.0) << label << ": " << p.key();
      continue;
    }
    EXPECT_TRUE(g.defined()) << label << ": " << p.key() << " got no gradient";
    if (!g.defined()) continue;
    EXPECT_TRUE(assert_close(g, it->second, tol, label + " grad." + p.key()));
    torch::Tensor a = g.to(torch::kDouble), e = it->second.to(torch::kDouble);
    torch::Tensor diff = (a - e).abs();
    const double ratio = (diff / (tol.atol + tol.rtol * e.abs())).max().item<double>();
    worst_abs = std::max(worst_abs, diff.max().item<double>());
    if (ratio > worst_ratio) worst_ratio = ratio, worst_name = p.key();
    ++compared;
  }
  int64_t in_fixture = 0;
  for (const auto& [k, v] : fixture) in_fixture += k.rfind("grad.", 0) == 0;
  EXPECT_EQ(compared, in_fixture) << label << ": every fixture gradient has its parameter here";
  std::cout << label << ": " << compared << " gradients, max |diff| = " << worst_abs
            << ", max |diff| / (atol + rtol·|expected|) = " << worst_ratio << " (" << worst_name << ")\n";
  return compared;
}

}  // namespace afinar_test
