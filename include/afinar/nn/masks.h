/// Attention masks as transformers' masking_utils builds them, and the block-diagonal masks of
/// packed rows (several sequences concatenated into one row, as DataCollatorWithFlattening makes
/// them: input_ids (1, N), cu_seq_lens (R + 1) or seq_idx (1, N)).
///
///   torch::Tensor pad = afinar::padding_attention_mask(attention_mask, torch::kFloat);  // (B, 1, 1, T)
///   afinar::AttentionMask causal = afinar::make_causal_attention_mask(attention_mask, B, T, dt, dev, eager);
///   torch::Tensor seq = afinar::packed_sequence_ids(cu_seq_lens, {}, 1, N);           // (1, N)
///   afinar::AttentionMask packed = afinar::block_diagonal_mask(seq, /*causal=*/true, dt, eager);
#pragma once
#include <torch/torch.h>

#include <optional>

#include "afinar/nn/attention.h"

namespace afinar {

/// 0 where `keep` (bool), finfo(dtype).min elsewhere; same shape as keep.
torch::Tensor additive_mask(const torch::Tensor& keep, torch::ScalarType dtype);

/// attention_mask (B, T) 0/1 → keys to keep, (B, 1, 1, T) bool; undefined when attention_mask is
/// undefined or all ones (transformers' sdpa path then passes no mask).
torch::Tensor padding_keep_mask(const torch::Tensor& attention_mask);

/// (1, 1, T, T) bool, true where key s <= query t.
torch::Tensor causal_keep_mask(int64_t length, torch::Device device);

/// An encoder's padding mask, as transformers' _prepare_4d_attention_mask: (B, 1, 1, T) additive
/// (0 / finfo(dtype).min), undefined when attention_mask is undefined or all ones.
torch::Tensor padding_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype);

/// A decoder's mask without a KV cache, as transformers' create_causal_mask /
/// create_sliding_window_causal_mask: (B, 1, T, T), bool for sdpa, additive for eager; for sdpa
/// without padding (and no active window) no mask and is_causal, as transformers.
/// attention_mask (B, T) 0/1 or undefined (all ones); sliding_window: a query sees itself and the
/// sliding_window - 1 keys before it (Mistral), unset = plain causal.
AttentionMask make_causal_attention_mask(const torch::Tensor& attention_mask, int64_t batch, int64_t length,
                                         torch::ScalarType dtype, torch::Device device, bool eager,
                                         std::optional<int64_t> sliding_window = std::nullopt);

/// The sequence each token of a packed batch belongs to, (B, N) int64: from cu_seq_lens (R + 1,
/// offsets 0 = c0 <= c1 … <= cR = N; B must be 1) or seq_idx (B, N); both given must agree.
/// InvalidArgument naming the field on a malformed one.
torch::Tensor packed_sequence_ids(const torch::Tensor& cu_seq_lens, const torch::Tensor& seq_idx, int64_t batch,
                                  int64_t length);

/// Each token's position within its own sequence, (B, N) int64 (the position_ids
/// DataCollatorWithFlattening writes): 0, 1, … restarting at every sequence.
torch::Tensor packed_position_ids(const torch::Tensor& sequence_ids);

/// Block-diagonal mask of packed rows: query i sees key j iff both are in the same sequence (and
/// j <= i when `causal`, and j > i - sliding_window when set), and attention_mask (B, N) keeps j.
/// (B, 1, N, N): additive (0 / finfo(dtype).min) when `additive`, else bool.
AttentionMask block_diagonal_mask(const torch::Tensor& sequence_ids, bool causal, torch::ScalarType dtype,
                                  bool additive, std::optional<int64_t> sliding_window = std::nullopt,
                                  const torch::Tensor& attention_mask = {});

}  // namespace afinar
