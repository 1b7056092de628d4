/// Gradient checkpointing (torch.utils.checkpoint with use_reentrant=True, preserve_rng_state=True):
/// a layer's forward runs without keeping its activations; backward recomputes them from the saved
/// inputs with the same random numbers (dropout), so the loss and every gradient are those of the
/// plain forward, for the memory of one layer's activations instead of all of them.
///
///   // inside a layer loop; mask is captured (it needs no gradient), hidden is an input
///   hidden = afinar::checkpoint([layer, mask](const std::vector<torch::Tensor>& x) {
///     return std::vector<torch::Tensor>{layer->forward(x[0], mask)};
///   }, {hidden})[0];
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace afinar {

using CheckpointFn = std::function<std::vector<torch::Tensor>(const std::vector<torch::Tensor>&)>;

/// Runs fn(inputs) under no_grad and returns its outputs, attached to the autograd graph through one
/// node whose backward reruns fn with grad enabled (CPU and input-device CUDA generators restored to
/// their state at forward, then put back) and backpropagates the incoming gradients through it:
/// parameter gradients accumulate into .grad as with use_reentrant=True; the inputs' gradients flow on.
///
/// Tensors that may need a gradient (hidden states, a trainable position bias, the encoder output
/// seen by cross-attention) must be `inputs` (defined tensors); tensors that need none (masks) may
/// be captured by fn. fn is kept alive until backward. When grad mode is off, or no input requires
/// grad, fn just runs. fn must return new tensors (not one of its inputs).
std::vector<torch::Tensor> checkpoint(CheckpointFn fn, const std::vector<torch::Tensor>& inputs);

/// How many times checkpoint() has recorded a node / recomputed in backward (for tests).
int64_t checkpoint_forward_count();
int64_t checkpoint_recompute_count();

/// Mixed into each layer-stack module (BertEncoder, GPT2Model, T5Stack, …): its layer loop runs every
/// layer through checkpoint() while `gradient_checkpointing` is set, the stack is in train() mode and
/// grad mode is on — as transformers, never in eval() or under no_grad.
/// PreTrainedModelImpl::gradient_checkpointing_enable() sets the flag on every stack of a model.
struct GradientCheckpointing {
  bool gradient_checkpointing = false;

  bool checkpointing_active(const torch::nn::Module& stack) const {
    return gradient_checkpointing && stack.is_training() && torch::GradMode::is_enabled();
  }
};

}  // namespace afinar
