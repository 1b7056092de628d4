/// Tokenized examples ready for the collators: a view of an Arrow table's columns.
///
/// Token-level columns (input_ids, attention_mask, token_type_ids, token labels) are list<int32>
/// Arrow columns read in place — memory-mapped when the table comes from a map() cache file, so a
/// training set larger than RAM is trained on without being loaded. Row i of such a column is a
/// std::span<const int32_t> over the Arrow buffers. Example-level integer columns (label, length)
/// are int64 Arrow columns read in place too (tens of millions of labels are hundreds of MB).
///
///   afinar::Dataset tokenized = afinar::preprocess_classification(dd["train"], "train", tok, opt, labels, true);
///   afinar::Examples f = afinar::Examples::from_dataset(tokenized, {"input_ids", "attention_mask", "label"});
///   std::span<const int32_t> ids = f.sequences.at("input_ids")[3];   // row 3, no copy
///
///   // In memory (tests, small data): the rows are copied into Arrow arrays once.
///   auto g = afinar::Examples::from_rows({{"input_ids", {{101, 7, 102}, {101, 102}}}}, {{"label", {1, 0}}});
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace arrow {
class ChunkedArray;
}

namespace afinar {

class Dataset;
class RandomAccessPages;

/// A list<int32> column: row i is a span over the Arrow value buffer (no copy). Built from
/// list<int32> / large_list<int32> columns as they are; lists of other integer types are
/// converted to int32 once, in memory (a value outside int32 → FormatError naming the column). A
/// null row or a null item → InvalidArgument naming the column and row. A column of a
/// memory-mapped file keeps its resident pages bounded however many rows are read at random
/// (see RandomAccessPages in afinar/data/arrow_columns.h).
class SequenceColumn {
 public:
  SequenceColumn() = default;
  static SequenceColumn from_arrow(std::shared_ptr<arrow::ChunkedArray> column, const std::string& name);
  static SequenceColumn from_rows(const std::vector<std::vector<int32_t>>& rows);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Row i (unchecked; see at()).
  std::span<const int32_t> operator[](size_t i) const;
  /// Row i; std::out_of_range naming the row and the size when i >= size().
  std::span<const int32_t> at(size_t i) const;
  /// Row i copied (for code that edits a row).
  std::vector<int32_t> row(size_t i) const;
  /// The first n rows (all when n >= size()), sharing the buffers.
  SequenceColumn head(size_t n) const;
  /// The Arrow column (list<int32> or large_list<int32>).
  const std::shared_ptr<arrow::ChunkedArray>& arrow() const { return data_; }

 private:
  struct Chunk {
    const int32_t* values = nullptr;     ///< the chunk's child values, offset applied
    const int32_t* offsets32 = nullptr;  ///< list: (rows + 1) offsets into values
    const int64_t* offsets64 = nullptr;  ///< large_list
    size_t first_row = 0, rows = 0;
  };
  const Chunk& chunk_of(size_t i) const;
  std::shared_ptr<arrow::ChunkedArray> data_;
  std::shared_ptr<const RandomAccessPages> pages_;  ///< set for a memory-mapped column
  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

/// An integer column (class ids, lengths, example indices) as int64 values: an int64 Arrow column
/// is read in place (memory-mapped when the table comes from a cache file, with its resident
/// pages bounded as SequenceColumn's); other integer and bool columns, and vectors given by code,
/// are held in memory. Copies share the values.
///
///   afinar::IntColumn labels = std::vector<int64_t>{1, 0, 1};
///   int64_t y = labels[2];
class IntColumn {
 public:
  IntColumn() = default;
  IntColumn(std::vector<int64_t> values);  // NOLINT: implicit, a vector is a column
  IntColumn(std::initializer_list<int64_t> values) : IntColumn(std::vector<int64_t>(values)) {}
  /// int64 without nulls: viewed; other integer / bool types: converted (Dataset::column_int64's
  /// checks: a null → InvalidArgument naming the column and row).
  static IntColumn from_dataset(const Dataset& ds, const std::string& name);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Row i (unchecked; see at()).
  int64_t operator[](size_t i) const;
  /// Row i; std::out_of_range naming the row and the size when i >= size().
  int64_t at(size_t i) const;
  std::vector<int64_t> to_vector() const;
  /// The first n rows (all when n >= size()), sharing the values.
  IntColumn head(size_t n) const;

 private:
  struct Chunk {
    const int64_t* values = nullptr;
    size_t first_row = 0, rows = 0;
  };
  const Chunk& chunk_of(size_t i) const;
  std::shared_ptr<const void> owner_;  ///< the Arrow column or the vector the chunks point into
  std::shared_ptr<const RandomAccessPages> pages_;
  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

struct Examples {
  std::map<std::string, SequenceColumn> sequences;         ///< per example, per token (list<int32>)
  std::map<std::string, IntColumn> labels;                 ///< per example (class ids, lengths)
  std::map<std::string, std::vector<float>> float_labels;  ///< per example (regression)

  size_t size() const;
  /// Number of tokens of example i (its input_ids length), used by length-aware sampling.
  size_t length(size_t i) const;
  /// Views list columns as `sequences` (no copy) and reads integer / float columns into
  /// `labels` / `float_labels`. Missing columns are skipped (the tokenizer decides whether
  /// token_type_ids exist). The dataset's Arrow buffers stay alive as long as the Examples.
  static Examples from_dataset(const Dataset& ds, const std::vector<std::string>& columns);
  /// Every list, integer, bool and float column of `ds` (what the preprocessing functions
  /// return holds only those); columns of other types (raw text) are left out, as the Trainer's
  /// remove_unused_columns drops them.
  static Examples from_dataset(const Dataset& ds);
  /// In-memory rows, copied into Arrow arrays (tests, small inputs).
  static Examples from_rows(const std::map<std::string, std::vector<std::vector<int32_t>>>& sequences,
                            std::map<std::string, std::vector<int64_t>> labels = {},
                            std::map<std::string, std::vector<float>> float_labels = {});
  /// The first n rows (all when n >= size()), sharing the buffers.
  Examples head(size_t n) const;
};

}  // namespace afinar
