/// transformers' DataCollatorWithFlattening: the padding-free collator. The rows of a batch are
/// concatenated into one sequence of N tokens; position_ids restart at position_ids_start for every
/// row and the first label of every row is separator_id (-100), so no token predicts across rows.
///
///   afinar::DataCollatorWithFlattening collate;
///   afinar::Batch b = collate(features, rows);   // input_ids, labels, position_ids: (1, N) int64
#pragma once
#include "afinar/collators/data_collator.h"

namespace afinar {

struct FlatteningOptions {
  bool return_position_ids = true;
  int64_t separator_id = -100;
  bool return_flash_attn_kwargs = false;  ///< cu_seq_lens_q/k (R+1,) int32, max_length_q/k () int64
  bool return_seq_idx = false;            ///< seq_idx (1, N) int32: the row each token comes from
  int64_t position_ids_start = 0;         ///< 2 for RoBERTa-like absolute positions (padding_idx + 1)
};

class DataCollatorWithFlattening : public DataCollator {
 public:
  explicit DataCollatorWithFlattening(FlatteningOptions opts = {}) : opts_(opts) {}
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  FlatteningOptions opts_;
};

}  // namespace afinar
