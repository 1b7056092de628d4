// ACT2FN (transformers' activations.py) for the names afinar's models use.
#include "afinar/nn/activations.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "afinar/core/check.h"

namespace afinar {

namespace {
const char* const kNames[] = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish"};
}  // namespace

torch::Tensor apply_activation(const torch::Tensor& x, const std::string& name) {
  if (name == "gelu") return torch::gelu(x);  // exact, erf-based
  if (name == "gelu_pytorch_tanh") return torch::gelu(x, "tanh");
  if (name == "gelu_new") {  // NewGELUActivation, operation by operation as transformers
    const double c = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + torch::tanh(c * (x + 0.044715 * torch::pow(x, 3.0))));
  }
  if (name == "relu") return torch::relu(x);
  if (name == "silu" || name == "swish") return torch::silu(x);
  throw InvalidArgument(detail::concat("unsupported activation '", name, "' (", supported_activations(), ")"));
}

bool is_supported_activation(const std::string& name) {
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

const char* supported_activations() {
  return "gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish";
}

}  // namespace afinar
