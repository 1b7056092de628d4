// Pooling of the sequence-level heads: the last non-pad token (transformers'
// GPT2ForSequenceClassification, LlamaForSequenceClassification) and the last <eos> (BART, T5).
#include "afinar/nn/pooling.h"

#include "afinar/core/check.h"

namespace afinar {

torch::Tensor pool_last_non_pad_token(const torch::Tensor& logits, const torch::Tensor& input_ids,
                                      const torch::Tensor& attention_mask, std::optional<int64_t> pad_token_id,
                                      const std::string& head) {
  AFINAR_CHECK(input_ids.defined() && input_ids.dim() == 2, head,
               ": input_ids (batch, seq_len) is required: the pooled token is found by token id");
  const int64_t B = logits.size(0), T = logits.size(1);
  torch::Tensor padding;  // (B, T) bool, positions the mask marks as padding
  if (attention_mask.defined()) {
    AFINAR_CHECK(attention_mask.sizes() == input_ids.sizes(), head, ": attention_mask of shape ",
                 attention_mask.sizes(), " does not match input_ids of shape ", input_ids.sizes());
    padding = attention_mask.eq(0);
  }
  const bool padded = padding.defined() && padding.any().item<bool>();
  if (!pad_token_id) {
    AFINAR_CHECK(B == 1 && !padded, head,
                 ": Cannot handle batch sizes > 1 if no padding token is defined: config.pad_token_id is not set, "
                 "so the last real token of a padded row cannot be found (HINT: set pad_token_id in config.json to "
                 "the id the batch is padded with, e.g. the eos_token_id, or predict with batch size 1)");
    return logits.select(1, T - 1);  // (1, C)
  }
  if (padded) {
    torch::Tensor wrong = padding & input_ids.ne(*pad_token_id);  // (B, T)
    if (wrong.any().item<bool>()) {
      torch::Tensor at = wrong.nonzero()[0];  // (row, position) of the first one
      const int64_t row = at[0].item<int64_t>(), pos = at[1].item<int64_t>();
      throw InvalidArgument(
          detail::concat(head, ": the batch is padded with token ", input_ids[row][pos].item<int64_t>(), " (row ", row,
                         ", position ", pos, " has attention_mask 0) but config.pad_token_id is ", *pad_token_id,
                         ": the head pools each row's last token != pad_token_id, so it would pool a padded position "
                         "(HINT: pad with config.pad_token_id — e.g. a tokenizer whose pad token is id ",
                         *pad_token_id, " — or set pad_token_id in config.json to the id the batch is padded with)"));
    }
  }
  auto i32 = torch::TensorOptions().dtype(torch::kInt).device(logits.device());
  torch::Tensor non_pad = (input_ids != *pad_token_id).to(i32);            // (B, T)
  torch::Tensor last = (torch::arange(T, i32) * non_pad).argmax(-1);       // (B)
  return logits.index({torch::arange(B, i32.dtype(torch::kLong)), last});  // (B, C)
}

torch::Tensor last_eos_pool(const torch::Tensor& h, const torch::Tensor& input_ids, int64_t eos_id,
                            const std::string& head) {
  AFINAR_CHECK(input_ids.defined(), head, ": input_ids is required (eos pooling)");
  AFINAR_CHECK(h.size(1) == input_ids.size(1), head, ": decoder_input_ids must be as long as input_ids (eos pooling)");
  torch::Tensor eos = input_ids.eq(eos_id);  // (B, T)
  torch::Tensor counts = eos.sum(1);
  AFINAR_CHECK(counts.min().item<int64_t>() == counts.max().item<int64_t>(), head,
               ": all examples must have the same number of <eos> tokens.");
  AFINAR_CHECK(counts.min().item<int64_t>() >= 1, head, ": each example must contain at least one <eos> token.");
  // The last eos of each row: the largest position holding one.
  torch::Tensor pos = torch::arange(eos.size(1), eos.options().dtype(torch::kLong));
  torch::Tensor last = (eos.to(torch::kLong) * pos).argmax(1);                      // (B)
  return h.gather(1, last.view({-1, 1, 1}).expand({-1, 1, h.size(2)})).squeeze(1);  // (B, D)
}

}  // namespace afinar
