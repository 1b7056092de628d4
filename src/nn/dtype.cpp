// torch.finfo(dtype).min for the float dtypes a model runs in.
#include "afinar/nn/dtype.h"

#include <limits>

#include "afinar/core/check.h"

namespace afinar {

double finfo_min(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat:
      return std::numeric_limits<float>::lowest();
    case torch::kDouble:
      return std::numeric_limits<double>::lowest();
    case torch::kHalf:
      return -65504.0;
    case torch::kBFloat16:
      return -3.3895313892515355e38;
    default:
      throw InvalidArgument(
          detail::concat("finfo_min: unsupported dtype ", dtype, " (float32, float64, float16, bfloat16)"));
  }
}

}  // namespace afinar
