/// torch.autocast as an RAII guard: inside it, the ops on torch's autocast lists run in the lower
/// precision (linear, matmul, bmm, conv, sdpa in bfloat16 / float16) and the ones that need range
/// in float32 (softmax, log_softmax, layer_norm, losses), while the parameters stay float32 (the
/// master weights the optimizer updates). On exit the previous state returns, and the outermost
/// guard clears the cast cache (the bf16 copies of the weights), as torch.autocast.__exit__.
///
///   {
///     afinar::AutocastGuard amp(torch::kCPU, torch::kBFloat16);
///     loss = model->forward(in).loss;   // matmuls in bf16, loss in fp32
///   }
///   loss.backward();                    // gradients land in the fp32 parameters
#pragma once
#include <torch/torch.h>

#include <optional>

namespace afinar {

class AutocastGuard {
 public:
  /// dtype unset: a guard that does nothing (full precision).
  AutocastGuard(torch::DeviceType device, std::optional<torch::ScalarType> dtype);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  torch::DeviceType device_ = torch::kCPU;
  bool previous_enabled_ = false;
  torch::ScalarType previous_dtype_ = torch::kBFloat16;
};

}  // namespace afinar
