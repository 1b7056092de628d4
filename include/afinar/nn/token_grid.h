/// Padding-free computation: which tokens of a batch are real, and where attention sees them.
///
/// A padded batch (B, T) holds N ≤ B·T real tokens. A padding-free forward runs embeddings,
/// projections, MLPs, norms and heads on the N real tokens only, (N, H), and lays the tokens out
/// as rows only inside attention: the "rows" layout (R, L) — for a padded batch the batch itself
/// (R = B, L = T, so every existing mask applies unchanged); for packed rows (one row of
/// concatenated sequences, DataCollatorWithFlattening) one row per sequence (R sequences, L the
/// longest), so that attention costs Σ L² instead of N² and sequences never see each other.
///
///   afinar::TokenGrid grid = afinar::TokenGrid::from_padding(attention_mask);   // (B, T)
///   torch::Tensor x = embed(grid.gather(input_ids));                           // (N, H)
///   torch::Tensor q = grid.to_rows(query(x));                                  // (R, L, H)
///   torch::Tensor h = grid.from_rows(attention(q, …));                         // (N, H)
///   torch::Tensor out = grid.scatter(h);                                       // (B, T, H), zeros at padding
///
/// An inactive grid (default-constructed) means the padded computation: every method is then the
/// identity, so a model's code has one path.
#pragma once
#include <torch/torch.h>

#include <cstdint>

namespace afinar {

class TokenGrid {
 public:
  TokenGrid() = default;  ///< inactive: the padded computation

  /// A padded batch: attention_mask (B, T) 0/1. Inactive when undefined or without padding (then
  /// the padded computation is already padding-free).
  static TokenGrid from_padding(const torch::Tensor& attention_mask);
  /// Packed rows: sequence_ids (B, N) (packed_sequence_ids), each contiguous run of one id a
  /// sequence; attention_mask (B, N) 0/1 or undefined drops tokens as padding does.
  static TokenGrid from_packed(const torch::Tensor& sequence_ids, const torch::Tensor& attention_mask = {});

  bool active() const { return active_; }
  int64_t num_tokens() const { return num_tokens_; }
  int64_t rows() const { return rows_; }
  int64_t width() const { return width_; }

  /// (B, T, …) or (1, T, …) (broadcast over the batch) → (N, …), the real tokens in row-major
  /// order. Undefined in → undefined out; inactive: x itself.
  torch::Tensor gather(const torch::Tensor& x) const;
  /// (N, …) → (B, T, …), zeros at padding; inactive: x itself.
  torch::Tensor scatter(const torch::Tensor& x) const;
  /// (N, …) → (R, L, …) for attention, zeros at the empty slots; inactive: x itself.
  torch::Tensor to_rows(const torch::Tensor& x) const;
  /// (R, L, …) → (N, …); inactive: x itself.
  torch::Tensor from_rows(const torch::Tensor& x) const;
  /// The attention_mask of the rows layout, (R, L) 1 = token: what the attention masks are built
  /// from (for a padded batch, its own attention_mask). Undefined when inactive.
  const torch::Tensor& rows_attention_mask() const { return rows_mask_; }
  /// True when every position of the input that holds no real token has the label -100, after the
  /// causal shift when `shift` (position t's target is labels[t + 1]): a loss over the real tokens
  /// only then equals the loss over every position. labels (B, T) int.
  bool ignores_padding(const torch::Tensor& labels, bool shift) const;

 private:
  bool active_ = false;
  int64_t batch_ = 0, length_ = 0;  // the input layout (B, T)
  int64_t rows_ = 0, width_ = 0;    // the rows layout (R, L)
  int64_t num_tokens_ = 0;
  torch::Tensor tokens_;     // (N) int64: flat index into B·T; undefined = every position (packed, no mask)
  torch::Tensor slots_;      // (N) int64: flat index into R·L; undefined = same as tokens_ (padded batch)
  torch::Tensor keep_;       // (B, T) bool: the input positions holding real tokens; undefined = all
  torch::Tensor rows_mask_;  // (R, L) int64
};

}  // namespace afinar
