#include "afinar/collators/whole_word_mask.h"

#include "afinar/core/check.h"

namespace afinar {

namespace {
LanguageModelingOptions whole_word(LanguageModelingOptions o) {
  AFINAR_CHECK(o.mlm, "Whole word masking can only be used with mlm=true");
  o.mask_replace_prob = 1;  // transformers: random replacement is not supported with whole word masking
  o.random_replace_prob = 0;
  return o;
}
}  // namespace

DataCollatorForWholeWordMask::DataCollatorForWholeWordMask(LanguageModelingOptions opts,
                                                           std::vector<std::string> id_to_token)
    : DataCollatorForLanguageModeling(whole_word(std::move(opts))), id_to_token_(std::move(id_to_token)) {}

Batch DataCollatorForWholeWordMask::operator()(const Examples& features, std::span<const int64_t> rows) const {
  PadOptions pad;
  pad.pad_token_id = opts_.pad_token_id;
  pad.pad_token_type_id = opts_.pad_token_type_id;
  pad.pad_to_multiple_of = opts_.pad_to_multiple_of;
  pad.padding_side = opts_.padding_side;
  Batch batch = pad_inputs(features, rows, pad, {"labels", "label"});
  AFINAR_CHECK(batch.count("input_ids"), "DataCollatorForWholeWordMask: the features have no input_ids");
  auto special = special_tokens_mask(batch).contiguous();  // (B, T) bool
  batch.erase("special_tokens_mask");
  auto& ids = batch["input_ids"];  // (B, T)
  const int64_t B = ids.size(0), T = ids.size(1);
  // word_ids (B, T): running count of word starts, -1 on special tokens; no_mask (B, T): every
  // token but a word's first, so a word is drawn once (transformers' _calc_word_ids_and_prob_mask).
  auto word_ids = torch::full({B, T}, -1, torch::kInt64);
  auto no_mask = torch::ones({B, T}, torch::kBool);
  auto id = ids.accessor<int64_t, 2>();
  auto sp = special.accessor<bool, 2>();
  auto w = word_ids.accessor<int64_t, 2>();
  auto nm = no_mask.accessor<bool, 2>();
  for (int64_t b = 0; b < B; ++b) {
    int64_t word = 0;
    for (int64_t t = 0; t < T; ++t) {
      const auto tok = id[b][t];
      const bool continues = tok >= 0 && tok < static_cast<int64_t>(id_to_token_.size()) &&
                             id_to_token_[tok].rfind("##", 0) == 0;
      const bool prev_special = t > 0 && sp[b][t - 1];
      const bool is_new = !sp[b][t] && (!continues || prev_special || t == 0);
      word += is_new;
      nm[b][t] = !is_new;
      w[b][t] = sp[b][t] ? -1 : word;
    }
  }
  batch["labels"] = mask_tokens(ids, no_mask, word_ids);
  return batch;
}

}  // namespace afinar
