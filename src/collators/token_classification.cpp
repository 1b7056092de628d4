#include "afinar/collators/token_classification.h"

#include "afinar/core/check.h"

namespace afinar {

DataCollatorForTokenClassification::DataCollatorForTokenClassification(PadOptions pad, int64_t label_pad_token_id)
    : pad_(std::move(pad)), label_pad_token_id_(label_pad_token_id) {
  pad_.validate("DataCollatorForTokenClassification");
}

Batch DataCollatorForTokenClassification::operator()(const Examples& features, std::span<const int64_t> rows) const {
  // transformers: label_name = "label" if "label" in features[0] else "labels".
  const std::string label_name = features.sequences.count("label") ? "label" : "labels";
  Batch batch = pad_inputs(features, rows, pad_, {label_name});
  auto it = features.sequences.find(label_name);
  if (it == features.sequences.end()) return batch;
  AFINAR_CHECK(batch.count("input_ids"), "DataCollatorForTokenClassification: the features have no input_ids");
  const int64_t T = batch["input_ids"].size(1);
  batch[label_name] = pad_column(it->second, rows, T, label_pad_token_id_, pad_.padding_side, label_name);  // (B, T)
  return batch;
}

}  // namespace afinar
