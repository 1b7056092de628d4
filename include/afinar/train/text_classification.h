/// The text-classification task's preprocessing (transformers' run_classification.py):
/// text columns joined by a space, tokenized with truncation to max_seq_length, labels mapped to
/// ids through the sorted label list of the train split. It runs as Dataset::map with a declared
/// transform, so a second run on the same file with the same tokenizer and options is served
/// from the map cache file (memory-mapped) instead of tokenising again.
///
///   auto labels = afinar::get_label_list(dd["train"], "label");          // {0, 1}
///   afinar::Dataset train = afinar::preprocess_classification(dd["train"], "train", tok, opt, labels, true);
///   afinar::Examples features = afinar::Examples::from_dataset(train);   // for the Trainer
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"
#include "afinar/data/dataset.h"

namespace afinar {

class Tokenizer;

struct ClassificationPreprocessing {
  std::vector<std::string> text_column_names = {"text"};
  std::string label_column_name = "label";
  size_t max_seq_length = 128;
  bool pad_to_max_length = false;  ///< false: dynamic padding in the collator (no padding waste)
  size_t num_threads = 0;          ///< tokenizer threads, 0 = all cores (not part of the cache key)
};

/// Sorted unique labels of `train` (integer label columns), read slice by slice (a memory-mapped
/// column is not kept resident). InvalidArgument when the column is missing, of another type,
/// null somewhere (naming the row) or empty.
std::vector<int64_t> get_label_list(const Dataset& train, const std::string& label_column);

/// Tokenizes `ds` into a Dataset {input_ids, [token_type_ids], attention_mask: list<int32>,
/// [label: int64]} (the input columns are not kept). `label_list` maps label values to ids; a
/// value not in it → InvalidArgument naming the split, the row and the value. Without a label
/// column, require_labels decides between an error and unlabeled features (prediction).
/// Cache: transform "preprocess_classification", keyed by the tokenizer's fingerprint and every
/// option above but num_threads, and the label list.
Dataset preprocess_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                  const ClassificationPreprocessing& opt, const std::vector<int64_t>& label_list,
                                  bool require_labels);

}  // namespace afinar
