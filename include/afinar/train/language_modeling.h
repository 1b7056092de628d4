/// The language-modeling tasks' preprocessing (transformers' run_clm.py / run_mlm.py): texts are
/// tokenized, then each map batch of 1,000 examples is concatenated and cut into blocks of
/// `block_size` tokens (the remainder of each batch dropped), as `group_texts` with
/// `map(batched=True)` does. Causal LM copies input_ids to labels; masked LM leaves the labels
/// to DataCollatorForLanguageModeling and keeps special_tokens_mask for it.
///
///   auto tokenized = afinar::tokenize_texts(ds.column_strings("text"), tok, {.special_tokens_mask = true});
///   afinar::Examples blocks = afinar::group_texts(tokenized, 128, /*copy_labels=*/true);
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"

namespace afinar {

class Tokenizer;

struct LmTokenizeOptions {
  bool special_tokens_mask = false;   ///< add the special_tokens_mask column (run_mlm)
  bool skip_empty_lines = false;      ///< run_mlm --line_by_line drops empty/blank lines
  std::optional<size_t> truncate_to;  ///< run_mlm --line_by_line: truncation to max_seq_length
  size_t num_threads = 0;
};

/// Tokenizes texts (no truncation unless asked) into {input_ids, attention_mask, [token_type_ids],
/// [special_tokens_mask]}.
Examples tokenize_texts(const std::vector<std::string>& texts, const Tokenizer& tok, const LmTokenizeOptions& opt);

/// run_clm/run_mlm's group_texts over map batches of `map_batch_size` examples: every sequence
/// column concatenated and cut into blocks of `block_size` tokens; labels = input_ids when asked.
Examples group_texts(const Examples& tokenized, size_t block_size, bool copy_labels, size_t map_batch_size = 1000);

}  // namespace afinar
