/// The token-classification (NER) task's preprocessing (transformers' run_ner.py): word lists
/// tokenized with is_split_into_words and truncation, each word's label on its first sub-token,
/// -100 on the others (or, with label_all_tokens, the word's label with B- turned into I-) and
/// on special tokens. It runs as Dataset::map with a declared transform: a second run with the
/// same file, tokenizer and options is served from the map cache.
///
///   auto names = afinar::get_token_label_list(dd["train"], "ner_tags");   // {"O", "B-PER", …}
///   afinar::Dataset train = afinar::preprocess_token_classification(dd["train"], "train", tok, opt, names, true);
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"
#include "afinar/data/dataset.h"

namespace afinar {

class Tokenizer;

struct TokenClassificationPreprocessing {
  std::string text_column_name = "tokens";     ///< list<string> column of words
  std::string label_column_name = "ner_tags";  ///< list<ClassLabel> or list<string> column
  std::optional<size_t> max_seq_length;        ///< none: the tokenizer's model_max_length
  bool label_all_tokens = false;
  bool pad_to_max_length = false;
  size_t num_threads = 0;  ///< tokenizer threads, 0 = all cores (not part of the cache key)
};

/// The label names as run_ner picks them: the ClassLabel names of the column's feature, else the
/// sorted unique label strings of `train` (read slice by slice).
std::vector<std::string> get_token_label_list(const Dataset& train, const std::string& label_column);

/// For each label id, the id of its I- label when it is a B- label with an I- partner, else itself
/// (run_ner's b_to_i_label).
std::vector<int64_t> b_to_i_labels(const std::vector<std::string>& label_names);

/// Tokenizes `ds` into a Dataset {input_ids, [token_type_ids], attention_mask, [labels]}
/// (list<int32>; the input columns are not kept) with token labels aligned to sub-tokens. A label
/// not in `label_names` → InvalidArgument naming the split, row and value. Cache: transform
/// "preprocess_token_classification", keyed by the tokenizer's fingerprint, the options but
/// num_threads, and the label names.
Dataset preprocess_token_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                        const TokenClassificationPreprocessing& opt,
                                        const std::vector<std::string>& label_names, bool require_labels);

}  // namespace afinar
