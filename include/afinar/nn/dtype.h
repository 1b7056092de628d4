/// dtype facts the layers need, as torch.finfo gives them.
///
///   afinar::finfo_min(torch::kFloat);      // -3.4028234663852886e+38
///   afinar::finfo_min(torch::kBFloat16);   // -3.3895313892515355e+38
#pragma once
#include <torch/torch.h>

namespace afinar {

/// torch.finfo(dtype).min: what transformers writes where attention is masked (not -inf, so that a
/// row with every key masked gives no NaN). InvalidArgument for a non-float dtype.
double finfo_min(torch::ScalarType dtype);

}  // namespace afinar
