/// The language-modeling tasks' preprocessing (transformers' run_clm.py / run_mlm.py): texts are
/// tokenized, then each map batch of 1,000 examples is concatenated and cut into blocks of
/// `block_size` tokens (the remainder of each batch dropped), as `group_texts` with
/// `map(batched=True)` does. Causal LM copies input_ids to labels; masked LM leaves the labels
/// to DataCollatorForLanguageModeling and keeps special_tokens_mask for it. Both steps are
/// Dataset::map calls with declared transforms, cached as HF's scripts' maps are.
///
///   auto tokenized = afinar::tokenize_texts(ds, "text", tok, {.special_tokens_mask = true});
///   afinar::Dataset blocks = afinar::group_texts(tokenized, 128, /*copy_labels=*/true);
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "afinar/collators/examples.h"
#include "afinar/data/dataset.h"

namespace afinar {

class Tokenizer;

struct LmTokenizeOptions {
  bool special_tokens_mask = false;   ///< add the special_tokens_mask column (run_mlm)
  bool skip_empty_lines = false;      ///< run_mlm --line_by_line drops empty/blank lines
  std::optional<size_t> truncate_to;  ///< run_mlm --line_by_line: truncation to max_seq_length
  size_t num_threads = 0;             ///< tokenizer threads (not part of the cache key)
};

/// Tokenizes the string column `text_column` of `ds` (no truncation unless asked) into a Dataset
/// {input_ids, [token_type_ids], attention_mask, [special_tokens_mask]} (list<int32>; the input
/// columns are not kept; skip_empty_lines drops rows). A column of another type or a null text →
/// InvalidArgument naming the column (and the row). Cache: transform "tokenize_texts", keyed by
/// the tokenizer's fingerprint, the column and the options but num_threads.
Dataset tokenize_texts(const Dataset& ds, const std::string& text_column, const Tokenizer& tok,
                       const LmTokenizeOptions& opt);

/// run_clm/run_mlm's group_texts over map batches of `map_batch_size` examples: every column (all
/// list<int>) concatenated and cut into blocks of `block_size` tokens; labels = input_ids when
/// asked. The row count changes, so every input column is replaced. Cache: transform
/// "group_texts", keyed by block_size and copy_labels (map adds the batch size).
Dataset group_texts(const Dataset& tokenized, size_t block_size, bool copy_labels, size_t map_batch_size = 1000);

}  // namespace afinar
