#include "afinar/collators/language_modeling.h"

#include <ATen/CPUGeneratorImpl.h>

#include "afinar/core/check.h"

namespace afinar {

void LanguageModelingOptions::validate() const {
  if (mlm) {
    AFINAR_CHECK(mask_token_id.has_value(),
                 "DataCollatorForLanguageModeling: mlm needs a mask token (pass mlm=false for causal language modeling)");
    AFINAR_CHECK(mlm_probability >= 0 && mlm_probability <= 1, "mlm_probability should be between 0 and 1, got ",
                 mlm_probability);
    AFINAR_CHECK(vocab_size > 0 || random_replace_prob == 0 || mask_replace_prob == 1,
                 "DataCollatorForLanguageModeling: vocab_size is needed to draw random words");
  }
  AFINAR_CHECK(mask_replace_prob + random_replace_prob <= 1,
               "The sum of mask_replace_prob and random_replace_prob should not exceed 1, got ",
               mask_replace_prob + random_replace_prob);
  AFINAR_CHECK(mask_replace_prob >= 0 && mask_replace_prob <= 1, "mask_replace_prob should be between 0 and 1, got ",
               mask_replace_prob);
  AFINAR_CHECK(random_replace_prob >= 0 && random_replace_prob <= 1,
               "random_replace_prob should be between 0 and 1, got ", random_replace_prob);
  AFINAR_CHECK(padding_side == "right" || padding_side == "left", "padding_side must be right or left, got '",
               padding_side, "'");
}

DataCollatorForLanguageModeling::DataCollatorForLanguageModeling(LanguageModelingOptions opts)
    : opts_(std::move(opts)) {
  opts_.validate();
}

std::optional<at::Generator> DataCollatorForLanguageModeling::generator() const {
  if (!opts_.seed) return std::nullopt;
  // transformers creates torch.Generator().manual_seed(seed) on first use and keeps it.
  if (!gen_) gen_ = at::make_generator<at::CPUGeneratorImpl>(*opts_.seed);
  return gen_;
}

torch::Tensor DataCollatorForLanguageModeling::special_tokens_mask(const Batch& batch) const {
  auto it = batch.find("special_tokens_mask");
  if (it != batch.end()) return it->second.to(torch::kBool);
  const auto& ids = batch.at("input_ids");  // (B, T)
  auto mask = torch::zeros(ids.sizes(), torch::kBool);
  for (int32_t s : opts_.special_token_ids) mask.logical_or_(ids.eq(s));
  return mask;
}

torch::Tensor DataCollatorForLanguageModeling::mask_tokens(torch::Tensor& inputs, const torch::Tensor& no_mask,
                                                           const std::optional<torch::Tensor>& word_ids) const {
  auto gen = generator();
  auto labels = inputs.clone();                                            // (B, T)
  auto probability = torch::full(labels.sizes(), opts_.mlm_probability);  // (B, T) float32, as torch.full
  probability.masked_fill_(no_mask, 0.0);
  auto masked = torch::bernoulli(probability, gen).to(torch::kBool);  // (B, T)
  if (word_ids) {
    // A token is masked when any token of its word was drawn: (B, T, 1) == (B, 1, T).
    const auto& w = *word_ids;
    auto valid = w.ne(-1);
    auto same = w.unsqueeze(2).eq(w.unsqueeze(1)) & valid.unsqueeze(2) & valid.unsqueeze(1);  // (B, T, T)
    masked = (same & masked.unsqueeze(1)).any(2);
  }
  labels.masked_fill_(masked.logical_not(), -100);

  auto replaced = torch::bernoulli(torch::full(labels.sizes(), opts_.mask_replace_prob), gen).to(torch::kBool) & masked;
  inputs.masked_fill_(replaced, *opts_.mask_token_id);
  if (opts_.mask_replace_prob == 1 || opts_.random_replace_prob == 0) return labels;

  // Scaled to what [MASK] left (0.1 / 0.2 = 0.5 by default), computed in double as Python does.
  const double scaled = opts_.random_replace_prob / (1 - opts_.mask_replace_prob);
  auto random = torch::bernoulli(torch::full(labels.sizes(), scaled), gen).to(torch::kBool) & masked &
                replaced.logical_not();
  auto words = torch::randint(opts_.vocab_size, labels.sizes(), gen, torch::kLong);  // (B, T)
  inputs = torch::where(random, words, inputs);
  return labels;
}

Batch DataCollatorForLanguageModeling::operator()(const Examples& features, std::span<const int64_t> rows) const {
  PadOptions pad;
  pad.pad_token_id = opts_.pad_token_id;
  pad.pad_token_type_id = opts_.pad_token_type_id;
  pad.pad_to_multiple_of = opts_.pad_to_multiple_of;
  pad.padding_side = opts_.padding_side;
  Batch batch = pad_inputs(features, rows, pad, {"labels", "label"});
  AFINAR_CHECK(batch.count("input_ids"), "DataCollatorForLanguageModeling: the features have no input_ids");
  auto special = special_tokens_mask(batch);
  batch.erase("special_tokens_mask");
  auto& ids = batch["input_ids"];  // (B, T)
  if (opts_.mlm) {
    batch["labels"] = mask_tokens(ids, special);
  } else {
    auto labels = ids.clone();
    labels.masked_fill_(labels.eq(opts_.pad_token_id), -100);
    batch["labels"] = labels;
  }
  return batch;
}

}  // namespace afinar
