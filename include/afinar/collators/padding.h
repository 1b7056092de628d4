/// Padding helpers shared by the collators (the tokenizer.pad / _torch_collate_batch steps of
/// transformers), so every collator pads inputs exactly as DataCollatorWithPadding does.
///
///   int64_t T = afinar::round_up(afinar::longest(col, rows), 8);
///   torch::Tensor ids = afinar::pad_column(col, rows, T, pad_id, "right");   // (B, T) int64
#pragma once
#include <torch/torch.h>

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "afinar/collators/data_collator.h"

namespace afinar {

/// Longest row of `col` among `rows` (0 for an empty batch).
int64_t longest(const SequenceColumn& col, std::span<const int64_t> rows);

/// T rounded up to a multiple of `multiple` (unchanged when unset or <= 0).
int64_t round_up(int64_t T, std::optional<int64_t> multiple);

/// (B, T) int64: each row copied to the right ("right") or the left ("left") of a row of `pad`.
/// A row longer than T → InvalidArgument naming the column.
torch::Tensor pad_column(const SequenceColumn& col, std::span<const int64_t> rows, int64_t T, int64_t pad,
                         const std::string& side, const std::string& name = "input_ids");

/// What tokenizer.pad does to the token-level columns of a batch (except those in `skip`):
/// padding "longest" or "max_length" (then rounded up to pad_to_multiple_of); input_ids padded
/// with pad_token_id, token_type_ids with pad_token_type_id, special_tokens_mask with 1 and
/// everything else with 0. Example-level integer columns become (B,) int64 tensors.
struct PadOptions {
  int32_t pad_token_id = 0;
  int32_t pad_token_type_id = 0;
  std::string padding = "longest";  ///< longest | max_length
  std::optional<int64_t> max_length;
  std::optional<int64_t> pad_to_multiple_of;
  std::string padding_side = "right";  ///< right | left
  void validate(const char* who) const;
};
Batch pad_inputs(const Examples& features, std::span<const int64_t> rows, const PadOptions& opts,
                 const std::set<std::string>& skip = {});

}  // namespace afinar
