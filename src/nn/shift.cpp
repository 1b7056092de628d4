// shift_tokens_right (transformers' modeling_bart.py) = T5PreTrainedModel._shift_right.
#include "afinar/nn/shift.h"

#include "afinar/core/check.h"

namespace afinar {

torch::Tensor shift_right(const torch::Tensor& ids, int64_t pad_token_id, int64_t decoder_start_token_id) {
  AFINAR_CHECK(ids.dim() == 2, "shift_right: ids must be (batch, seq_len), got shape ", ids.sizes());
  torch::Tensor shifted = torch::zeros_like(ids);  // (B, T)
  shifted.slice(1, 1).copy_(ids.slice(1, 0, -1));
  shifted.select(1, 0).fill_(decoder_start_token_id);
  return shifted.masked_fill_(shifted == -100, pad_token_id);
}

}  // namespace afinar
