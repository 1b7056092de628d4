/// transformers' DataCollatorForPermutationLanguageModeling (XLNet): pads input_ids (the padded
/// length must be even), masks spans of up to max_span_length tokens, one per context of
/// span_length / plm_probability tokens, and builds the permutation mask and target mapping.
///
///   afinar::DataCollatorForPermutationLanguageModeling collate(opts);   // opts.mask_token_id set
///   afinar::Batch b = collate(features, rows);
///   // input_ids (B, T) int64, perm_mask (B, T, T) float32, target_mapping (B, T, T) float32, labels (B, T) int64
#pragma once
#include "afinar/collators/language_modeling.h"

namespace afinar {

class DataCollatorForPermutationLanguageModeling : public DataCollator {
 public:
  /// Reads pad_token_id, mask_token_id, special_token_ids and padding_side from `opts`.
  explicit DataCollatorForPermutationLanguageModeling(LanguageModelingOptions opts, double plm_probability = 1.0 / 6,
                                                      int64_t max_span_length = 5);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  LanguageModelingOptions opts_;
  double plm_probability_;
  int64_t max_span_length_;
};

}  // namespace afinar
