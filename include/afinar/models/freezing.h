/// Freezing parts of a pretrained model for transfer learning, by the model's own layout
/// (PreTrainedModelImpl::base_parameter_prefixes and parameter_layout), so every family freezes the
/// same way without a table of names.
///
///   afinar::freeze_base_model(*model);   // train only the head
///   afinar::freeze_layers(*model, 2);    // embeddings + layers 0 and 1 of every stack
#pragma once
#include <cstdint>

#include "afinar/models/modeling.h"

namespace afinar {

/// requires_grad = false on every parameter under base_parameter_prefixes() (the pretrained base,
/// not the task head). Returns the number of parameter tensors it froze.
int64_t freeze_base_model(PreTrainedModelImpl& model);

/// requires_grad = false on the embeddings and on layers 0..n-1 of every layer stack of
/// parameter_layout() (T5/BART: of the encoder and of the decoder). n = 0 freezes nothing;
/// InvalidArgument for n < 0 or n above the deepest stack's layer count. Returns the number of
/// parameter tensors it froze.
int64_t freeze_layers(PreTrainedModelImpl& model, int64_t n);

}  // namespace afinar
