/// transformers' DataCollatorForLanguageModeling: pads input_ids, then either masks tokens for
/// masked language modeling (mlm) or copies input_ids to labels for causal language modeling.
///
///   afinar::LanguageModelingOptions o;
///   o.pad_token_id = 0; o.mask_token_id = 103; o.vocab_size = 30522; o.special_token_ids = {0, 100, 101, 102, 103};
///   afinar::DataCollatorForLanguageModeling collate(o);
///   afinar::Batch b = collate(features, rows);   // input_ids (B, T) masked, labels (B, T) -100 off the masks
///
/// Random numbers are drawn in transformers' order with the same ops (bernoulli on the full
/// probability matrix, then the [MASK] draw, then the random-word draw and torch::randint), from the
/// global torch CPU generator, or from a private generator seeded with `seed` as transformers' seed=.
#pragma once
#include <optional>
#include <vector>

#include "afinar/collators/data_collator.h"
#include "afinar/collators/padding.h"

namespace afinar {

struct LanguageModelingOptions {
  int32_t pad_token_id = 0;
  std::optional<int32_t> mask_token_id;  ///< required when mlm
  int64_t vocab_size = 0;                ///< len(tokenizer): random words are drawn in [0, vocab_size)
  std::vector<int32_t> special_token_ids;  ///< tokenizer.all_special_ids: never masked
  bool mlm = true;
  double mlm_probability = 0.15;
  double mask_replace_prob = 0.8;
  double random_replace_prob = 0.1;
  std::optional<int64_t> pad_to_multiple_of;
  std::string padding_side = "right";
  int32_t pad_token_type_id = 0;
  std::optional<uint64_t> seed;  ///< private generator as transformers' seed=; global generator when unset
  void validate() const;
};

class DataCollatorForLanguageModeling : public DataCollator {
 public:
  explicit DataCollatorForLanguageModeling(LanguageModelingOptions opts);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

  /// Masks `inputs` (B, T) int64 in place and returns labels (B, T) int64 (-100 where not masked).
  /// `no_mask` (B, T) bool: tokens never chosen (special tokens). With `word_ids` (B, T) int64
  /// (-1 for special tokens) whole words are masked as transformers' whole_word_mask does.
  torch::Tensor mask_tokens(torch::Tensor& inputs, const torch::Tensor& no_mask,
                            const std::optional<torch::Tensor>& word_ids = std::nullopt) const;

 protected:
  /// (B, T) bool: 1 where a token is special (from a padded special_tokens_mask column when the
  /// features have one, else from special_token_ids).
  torch::Tensor special_tokens_mask(const Batch& batch) const;
  std::optional<at::Generator> generator() const;
  LanguageModelingOptions opts_;
  mutable std::optional<at::Generator> gen_;
};

}  // namespace afinar
