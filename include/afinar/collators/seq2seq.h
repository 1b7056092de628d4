/// transformers' DataCollatorForSeq2Seq: pads the encoder inputs as tokenizer.pad does, pads the
/// target "labels" (or "label") separately to their own longest length (or max_length), rounded up to
/// pad_to_multiple_of, with label_pad_token_id (-100), and optionally adds decoder_input_ids made
/// from the padded labels (what model.prepare_decoder_input_ids_from_labels does).
///
///   afinar::PadOptions pad; pad.pad_token_id = 1;
///   afinar::DataCollatorForSeq2Seq collate(pad, -100, [](const torch::Tensor& l) {
///     return afinar::shift_tokens_right(l, /*pad_token_id=*/1, /*decoder_start_token_id=*/2); });
///   afinar::Batch b = collate(features, rows);  // input_ids (B, S), labels (B, L), decoder_input_ids (B, L)
#pragma once
#include <functional>

#include "afinar/collators/data_collator.h"
#include "afinar/collators/padding.h"

namespace afinar {

/// transformers' shift_tokens_right (BART, T5, Marian, ...): labels (B, L) → (B, L) with
/// decoder_start_token_id first, labels shifted right by one and -100 replaced by pad_token_id.
torch::Tensor shift_tokens_right(const torch::Tensor& labels, int64_t pad_token_id, int64_t decoder_start_token_id);

class DataCollatorForSeq2Seq : public DataCollator {
 public:
  using PrepareDecoderInputIds = std::function<torch::Tensor(const torch::Tensor& labels)>;
  explicit DataCollatorForSeq2Seq(PadOptions pad, int64_t label_pad_token_id = -100,
                                  PrepareDecoderInputIds prepare_decoder_input_ids = nullptr);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  PadOptions pad_;
  int64_t label_pad_token_id_;
  PrepareDecoderInputIds prepare_;
};

}  // namespace afinar
