/// transformers' ACT2FN for the activations afinar's models use.
///
///   torch::Tensor y = afinar::apply_activation(x, "gelu_new");   // same shape as x
///   afinar::is_supported_activation("mish");                      // false
#pragma once
#include <torch/torch.h>

#include <string>

namespace afinar {

/// ACT2FN[name](x): "gelu" (exact, erf), "gelu_new" (NewGELUActivation, the tanh form written out
/// as transformers writes it), "gelu_pytorch_tanh", "relu", "silu" / "swish". InvalidArgument for
/// another name.
torch::Tensor apply_activation(const torch::Tensor& x, const std::string& name);

/// Whether apply_activation knows `name`.
bool is_supported_activation(const std::string& name);

/// "gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish": the names, for messages.
const char* supported_activations();

}  // namespace afinar
