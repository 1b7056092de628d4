#include "afinar/collators/seq2seq.h"

#include "afinar/core/check.h"

namespace afinar {

torch::Tensor shift_tokens_right(const torch::Tensor& labels, int64_t pad_token_id, int64_t decoder_start_token_id) {
  auto shifted = torch::zeros_like(labels);  // (B, L)
  using torch::indexing::Slice;
  shifted.index_put_({Slice(), Slice(1, torch::indexing::None)}, labels.index({Slice(), Slice(torch::indexing::None, -1)}));
  shifted.index_put_({Slice(), 0}, decoder_start_token_id);
  shifted.masked_fill_(shifted.eq(-100), pad_token_id);
  return shifted;
}

DataCollatorForSeq2Seq::DataCollatorForSeq2Seq(PadOptions pad, int64_t label_pad_token_id,
                                               PrepareDecoderInputIds prepare_decoder_input_ids)
    : pad_(std::move(pad)), label_pad_token_id_(label_pad_token_id), prepare_(std::move(prepare_decoder_input_ids)) {
  pad_.validate("DataCollatorForSeq2Seq");
}

Batch DataCollatorForSeq2Seq::operator()(const Examples& features, std::span<const int64_t> rows) const {
  const std::string label_name = features.sequences.count("label") ? "label" : "labels";
  Batch batch = pad_inputs(features, rows, pad_, {label_name});
  auto it = features.sequences.find(label_name);
  if (it == features.sequences.end()) return batch;
  // Labels have their own length: the longest label of the batch, or max_length when padding to it.
  int64_t L = pad_.padding == "max_length" ? *pad_.max_length : longest(it->second, rows);
  L = round_up(L, pad_.pad_to_multiple_of);
  auto labels = pad_column(it->second, rows, L, label_pad_token_id_, pad_.padding_side, label_name);  // (B, L)
  batch["labels"] = labels;
  if (prepare_) batch["decoder_input_ids"] = prepare_(labels);
  return batch;
}

}  // namespace afinar
