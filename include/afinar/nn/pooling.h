/// How sequence-level heads pick one hidden state per row.
///
///   // decoder classifiers (GPT-2, Llama): the last token that is not padding
///   torch::Tensor pooled = afinar::pool_last_non_pad_token(logits, ids, mask, cfg.pad_token_id,
///   "GPT2ForSequenceClassification");
///   // encoder-decoder classifiers (BART, T5): the decoder state at the last <eos>
///   torch::Tensor h_eos = afinar::last_eos_pool(decoder_hidden, ids, eos_id, "BartForSequenceClassification");
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

namespace afinar {

/// The logits of each row's rightmost token != pad_token_id (left or right padding), as
/// transformers' decoder sequence classifiers pool: logits (B, T, C), input_ids (B, T) → (B, C).
/// Because padding is found by token id, the batch's padding must be that id: a position that
/// attention_mask (B, T, or undefined) marks 0 but that holds another token → InvalidArgument
/// naming config.pad_token_id and the token found; without a pad_token_id, a padded batch or one
/// of several rows → InvalidArgument (transformers: "Cannot handle batch sizes > 1 if no padding
/// token is defined"). `head` names the model in messages.
torch::Tensor pool_last_non_pad_token(const torch::Tensor& logits, const torch::Tensor& input_ids,
                                      const torch::Tensor& attention_mask, std::optional<int64_t> pad_token_id,
                                      const std::string& head);

/// The encoder-decoder classification heads' pooling (BART, T5), as transformers: the hidden
/// state at the last <eos> of each row. Every row must hold the same number (≥ 1) of `eos_id`
/// in input_ids, and the decoder must be as long as the input. h: (B, T, D), input_ids (B, T)
/// → (B, D). Errors name `head`.
torch::Tensor last_eos_pool(const torch::Tensor& h, const torch::Tensor& input_ids, int64_t eos_id,
                            const std::string& head);

}  // namespace afinar
