/// Helpers of transformers.trainer_pt_utils: the label smoother and length-grouped sampling.
///
///   // (B, T, C) logits, (B, T) labels with -100 = ignored; mean over the non-ignored positions
///   torch::Tensor loss = afinar::label_smoother(logits, labels, 0.1);
///   // Indices in batches of similar lengths (HF's LengthGroupedSampler order for this generator)
///   auto gen = at::make_generator<at::CPUGeneratorImpl>(42);
///   std::vector<int64_t> order = afinar::get_length_grouped_indices(lengths, 16, gen);
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace afinar {

/// transformers' LabelSmoother(epsilon)(logits, labels, shift_labels):
/// (1 - ε)·NLL + ε·mean_c(-log p_c), each averaged over the labels != -100 (or divided by
/// `num_items_in_batch` when the Trainer normalises over accumulated micro-batches).
/// logits: (..., C); labels: logits' shape without C. shift_labels: causal LM (predict token t+1).
torch::Tensor label_smoother(torch::Tensor logits, torch::Tensor labels, double epsilon, bool shift_labels = false,
                             std::optional<double> num_items_in_batch = std::nullopt);

/// transformers' get_length_grouped_indices: randperm(n) from `generator`, megabatches of
/// mega_batch_mult × batch_size (default min(n / (4·batch_size), 50), at least 1) each sorted by
/// decreasing length, and the longest element moved to the very first position.
std::vector<int64_t> get_length_grouped_indices(const std::vector<int64_t>& lengths, int64_t batch_size,
                                                at::Generator generator,
                                                std::optional<int64_t> mega_batch_mult = std::nullopt);

/// transformers' nested_concat / torch_pad_and_concatenate over a list of batches: concatenated on
/// dim 0; where the second dimension differs (token-level (B, T, C) logits or (B, T) labels of
/// batches padded to different T), every part is padded at the end of dim 1 with `padding_index`.
torch::Tensor pad_and_concatenate(const std::vector<torch::Tensor>& parts, double padding_index = -100);

}  // namespace afinar
