/// Arrow-backed datasets with Hugging Face datasets' names.
///
/// A Dataset is an immutable Arrow table (memory-mapped when it comes from a cache file);
/// a DatasetDict maps split names to Datasets in insertion order.
///
///   auto ds = afinar::load_dataset("rotten_tomatoes");
///   std::cout << ds;  // DatasetDict({ train: Dataset({ features: ['text', 'label'], num_rows: 8530 }) ... })
///   auto texts = ds["train"].column_strings("text");
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace arrow {
class ChunkedArray;
class Table;
}

namespace afinar {

class Dataset {
 public:
  Dataset() = default;
  explicit Dataset(std::shared_ptr<arrow::Table> table, std::string origin = "");

  int64_t num_rows() const;
  std::vector<std::string> column_names() const;
  bool has_column(const std::string& name) const;
  const std::shared_ptr<arrow::Table>& table() const { return table_; }
  /// Where the rows came from (a file path or a description), for error messages.
  const std::string& origin() const { return origin_; }

  /// The Arrow column `name`; throws InvalidArgument naming the columns found when absent.
  std::shared_ptr<arrow::ChunkedArray> column(const std::string& name) const;

  /// Typed column reads. Throw InvalidArgument naming the column and the columns found when it
  /// is missing, or the type found when it is not convertible.
  std::vector<std::string> column_strings(const std::string& name) const;
  std::vector<int64_t> column_int64(const std::string& name) const;
  std::vector<std::vector<int32_t>> column_int_lists(const std::string& name) const;

  /// New datasets (the table is shared, not copied, where Arrow allows).
  Dataset select(const std::vector<int64_t>& indices) const;
  Dataset add_column_int_lists(const std::string& name, const std::vector<std::vector<int32_t>>& values) const;
  Dataset remove_columns(const std::vector<std::string>& names) const;

  /// HF-style repr: Dataset({ features: [...], num_rows: N }); lines after the first are
  /// indented by `indent` spaces (for nesting).
  std::string repr(int indent = 0) const;

 private:
  std::shared_ptr<arrow::Table> table_;
  std::string origin_;
};

class DatasetDict {
 public:
  void set(const std::string& split, Dataset ds);
  bool contains(const std::string& split) const;
  /// Throws InvalidArgument listing the splits found when `split` is absent.
  const Dataset& operator[](const std::string& split) const;
  std::vector<std::string> splits() const;
  size_t size() const { return splits_.size(); }
  std::string repr() const;

 private:
  std::vector<std::pair<std::string, Dataset>> splits_;
};

std::ostream& operator<<(std::ostream& os, const Dataset& ds);
std::ostream& operator<<(std::ostream& os, const DatasetDict& dd);

}  // namespace afinar
