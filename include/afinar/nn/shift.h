/// Decoder inputs from labels: transformers' shift_tokens_right (BART) and T5's _shift_right, one
/// function. (collators/seq2seq.h keeps its own afinar::shift_tokens_right for the collator's
/// decoder_input_ids; it computes the same.)
///
///   afinar::shift_right(torch::tensor({{5, 6, -100}}), /*pad_token_id=*/1, /*decoder_start_token_id=*/2);
///   // {{2, 5, 6}}
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace afinar {

/// ids (B, T) → (B, T): decoder_start_token_id first, then ids[:, :-1], with -100 (padded labels)
/// replaced by pad_token_id.
torch::Tensor shift_right(const torch::Tensor& ids, int64_t pad_token_id, int64_t decoder_start_token_id);

}  // namespace afinar
