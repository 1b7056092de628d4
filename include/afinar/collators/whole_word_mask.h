/// Whole word masking (transformers' DataCollatorForLanguageModeling(whole_word_mask=True), once
/// DataCollatorForWholeWordMask): a word is drawn with mlm_probability through its first token and
/// then every token of it becomes [MASK] (no random words: mask_replace_prob is forced to 1 as in
/// transformers). Words come from WordPiece token strings: a token starting with "##" continues the
/// word before it, unless that one is special — transformers reads the same words from offsets when
/// no punctuation is glued to a word.
///
///   afinar::DataCollatorForWholeWordMask collate(opts, tokenizer_vocab_by_id);
///   afinar::Batch b = collate(features, rows);   // input_ids (B, T), labels (B, T)
#pragma once
#include <string>
#include <vector>

#include "afinar/collators/language_modeling.h"

namespace afinar {

class DataCollatorForWholeWordMask : public DataCollatorForLanguageModeling {
 public:
  /// `id_to_token[id]` is the token string of id (ids past its end count as word starts).
  DataCollatorForWholeWordMask(LanguageModelingOptions opts, std::vector<std::string> id_to_token);
  Batch operator()(const Examples& features, std::span<const int64_t> rows) const override;

 private:
  std::vector<std::string> id_to_token_;
};

}  // namespace afinar
