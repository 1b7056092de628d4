/// transformers' DataCollatorForTokenClassification: pads the inputs as tokenizer.pad does and the
/// token labels ("labels", or "label") to the same length with label_pad_token_id (-100), on the
/// tokenizer's padding side.
///
///   afinar::PadOptions pad; pad.pad_token_id = 0;
///   afinar::DataCollatorForTokenClassification collate(pad);
///   afinar::Batch b = collate(features, rows);   // input_ids, attention_mask, labels: (B, T) int64
#pragma once
#include "afinar/collators/data_collator.h"
#include "afinar/collators/padding.h"

namespace afinar {

class DataCollatorForTokenClassification : public DataCollator {
 public:
  explicit DataCollatorForTokenClassification(PadOptions pad, int64_t label_pad_token_id = -100);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  PadOptions pad_;
  int64_t label_pad_token_id_;
};

}  // namespace afinar
