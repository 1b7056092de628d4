/// Tokenized examples in memory, column by column, ready for the collators.
///
/// Token-level columns (input_ids, attention_mask, token_type_ids, token labels) are lists of
/// int32 per example; example-level columns (label) are int64 or float. A collator turns the rows
/// of one batch (by index) into padded tensors.
///
///   afinar::Examples f = afinar::Examples::from_dataset(tokenized, {"input_ids", "attention_mask", "label"});
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace afinar {

class Dataset;

struct Examples {
  std::map<std::string, std::vector<std::vector<int32_t>>> sequences;  ///< per example, per token
  std::map<std::string, std::vector<int64_t>> labels;                  ///< per example (class ids)
  std::map<std::string, std::vector<float>> float_labels;              ///< per example (regression)

  size_t size() const;
  /// Reads list<int> columns into `sequences` and integer/float columns into `labels`/`float_labels`.
  /// Missing columns are skipped (the tokenizer decides whether token_type_ids exist).
  static Examples from_dataset(const Dataset& ds, const std::vector<std::string>& columns);
  /// Number of tokens of example i (its input_ids length), used by length-aware sampling.
  size_t length(size_t i) const;
};

}  // namespace afinar
