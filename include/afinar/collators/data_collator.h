/// Data collators: rows of Examples → a batch of tensors, with transformers' semantics.
///
///   afinar::DataCollatorWithPadding collate(tokenizer.pad_token_id().value_or(0));
///   afinar::Batch b = collate(features, {3, 17, 42});   // b["input_ids"]: (3, T_max) int64
#pragma once
#include <torch/torch.h>

#include <map>
#include <optional>
#include <span>
#include <string>

#include "afinar/collators/examples.h"
#include "afinar/models/batch.h"

namespace afinar {

class DataCollator {
 public:
  virtual ~DataCollator() = default;
  virtual Batch operator()(const Examples& features, std::span<const int64_t> rows) const = 0;
};

/// transformers' DataCollatorWithPadding: pads every token-level column to the longest row of the
/// batch (padding="longest") or to max_length ("max_length"), rounded up to pad_to_multiple_of.
/// input_ids are padded with pad_token_id, token_type_ids with pad_token_type_id, attention_mask
/// with 0. Example-level "label"/"label_ids" become "labels" as in transformers.
class DataCollatorWithPadding : public DataCollator {
 public:
  explicit DataCollatorWithPadding(int32_t pad_token_id, std::string padding = "longest",
                                   std::optional<int64_t> max_length = std::nullopt,
                                   std::optional<int64_t> pad_to_multiple_of = std::nullopt,
                                   std::string padding_side = "right", int32_t pad_token_type_id = 0);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  int32_t pad_token_id_, pad_token_type_id_;
  std::string padding_, padding_side_;
  std::optional<int64_t> max_length_, pad_to_multiple_of_;
};

}  // namespace afinar
