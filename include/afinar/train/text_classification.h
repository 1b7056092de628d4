/// The text-classification task's preprocessing (transformers' run_classification.py):
/// text columns joined by a space, tokenized with truncation to max_seq_length, labels mapped to
/// ids through the sorted label list of the train split.
///
///   auto labels = afinar::get_label_list(dd["train"], "label");          // {0, 1}
///   afinar::Examples train = afinar::preprocess_classification(dd["train"], "train", tok, opt, labels);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "afinar/collators/examples.h"

namespace afinar {

class Dataset;
class Tokenizer;

struct ClassificationPreprocessing {
  std::vector<std::string> text_column_names = {"text"};
  std::string label_column_name = "label";
  size_t max_seq_length = 128;
  bool pad_to_max_length = false;  ///< false: dynamic padding in the collator (no padding waste)
  size_t num_threads = 0;          ///< tokenizer threads, 0 = all cores
};

/// Sorted unique labels of `train` (integer label columns).
std::vector<int64_t> get_label_list(const Dataset& train, const std::string& label_column);

/// Tokenizes `ds` into Examples {input_ids, attention_mask, [token_type_ids], [label]}.
/// `label_list` maps label values to ids; a value not in it → InvalidArgument naming the split,
/// the row and the value. Without a label column, require_labels decides between an error and
/// unlabeled features (prediction).
Examples preprocess_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                   const ClassificationPreprocessing& opt, const std::vector<int64_t>& label_list,
                                   bool require_labels);

}  // namespace afinar
