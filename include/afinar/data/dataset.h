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
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "afinar/data/features.h"
#include "afinar/data/media.h"

namespace arrow {
class Array;
class ChunkedArray;
class RecordBatch;
class Table;
}

namespace afinar {

class DatasetDict;
struct MapOptions;
struct PushToHubOptions;

/// A batch transform for Dataset::map / filter: an input record batch → its output.
using BatchFunction = std::function<std::shared_ptr<arrow::RecordBatch>(const std::shared_ptr<arrow::RecordBatch>&)>;
/// A batch predicate for Dataset::filter: one bool per row of the batch.
using BatchPredicate = std::function<std::vector<bool>(const std::shared_ptr<arrow::RecordBatch>&)>;

class Dataset {
 public:
  Dataset() = default;
  /// `fingerprint` identifies the rows for the map cache; empty → a random one (in-memory data,
  /// as HF; map() does not cache those). Datasets read from files get a fingerprint of the
  /// files' paths, sizes and mtimes.
  explicit Dataset(std::shared_ptr<arrow::Table> table, std::string origin = "", std::string fingerprint = "");

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

  /// Row `row` of an Image / Audio column, decoded now (the table keeps the encoded bytes, as
  /// HF). The value's bytes are decoded; when they are null its path is read. The feature's mode
  /// / sampling_rate / num_channels apply. Throws InvalidArgument for another feature or a row
  /// out of range, FormatError for undecodable bytes (naming the column, row and path).
  DecodedImage image(const std::string& column, int64_t row) const;
  DecodedAudio audio(const std::string& column, int64_t row) const;

  /// New datasets (the table is shared, not copied, where Arrow allows).
  Dataset select(const std::vector<int64_t>& indices) const;
  Dataset add_column_int_lists(const std::string& name, const std::vector<std::vector<int32_t>>& values) const;
  Dataset remove_columns(const std::vector<std::string>& names) const;

  /// The columns' features: the "huggingface" schema metadata where it agrees with the Arrow
  /// types, else the features HF infers from the types.
  Features features() const;
  /// 16 hex digits; derived transforms derive it from their input's and their arguments.
  const std::string& fingerprint() const { return fingerprint_; }

  // ---- transforms (transforms.cpp); each returns a new Dataset, the source is untouched ----
  /// Rows in the order of np.random.default_rng(seed).permutation(num_rows), as HF's shuffle.
  Dataset shuffle(uint64_t seed) const;
  /// Stable sort by `column` (Arrow's sort_indices, as HF); nulls last.
  Dataset sort(const std::string& column, bool reverse = false) const;
  /// HF's train_test_split(test_size=float, seed=...): n_test = ceil(test_size * n), the test
  /// rows first in the permutation, then the train rows. Returns {"train", "test"}.
  DatasetDict train_test_split(double test_size, uint64_t seed) const;
  /// HF's train_test_split(test_size=int).
  DatasetDict train_test_split(int64_t test_size, uint64_t seed) const;
  Dataset rename_column(const std::string& from, const std::string& to) const;
  Dataset rename_columns(const std::map<std::string, std::string>& mapping) const;
  Dataset select_columns(const std::vector<std::string>& names) const;
  /// Casts one column's storage to `feature` (Arrow's safe cast) and records the feature.
  Dataset cast_column(const std::string& name, const Feature& feature) const;
  /// Casts every column to `features` (same names required).
  Dataset cast(const Features& features) const;
  /// A string/int/bool column → ClassLabel with the sorted unique values as names, as HF.
  Dataset class_encode_column(const std::string& name) const;
  /// Struct columns → one column per field, named "parent.child" (recursively), as HF.
  Dataset flatten() const;
  /// The distinct values of `column` in order of first appearance (as HF's unique).
  std::shared_ptr<arrow::Array> unique(const std::string& column) const;
  /// Keeps the rows for which `predicate` returns true, batch by batch. The function is never
  /// hashed: a declared `transform` (name + arguments, as MapOptions) gives the result a
  /// fingerprint derived from the input's; without one it is marked in-memory (no map cache after).
  Dataset filter(const BatchPredicate& predicate, int64_t batch_size = 1000, const std::string& transform = "") const;
  /// Batched map with a cache keyed on (fingerprint, declared transform); see map.h. With a
  /// cache file the output is written batch by batch, never held in memory as a whole.
  Dataset map(const BatchFunction& function, const MapOptions& options) const;
  /// HF's Dataset.iter(batch_size): `fn` gets each batch of rows in order (the last may be
  /// shorter). Memory-mapped pages are released after each batch, so one pass over a dataset
  /// larger than RAM keeps about one batch resident.
  void iter(int64_t batch_size, const std::function<void(const std::shared_ptr<arrow::RecordBatch>&)>& fn) const;

  // ---- HF's on-disk format and exports (disk.cpp, export.cpp) ----
  /// Writes data-NNNNN-of-NNNNN.arrow (Arrow IPC streams), dataset_info.json and state.json into
  /// `dir` (created or replaced atomically), readable by datasets.load_from_disk.
  void save_to_disk(const std::filesystem::path& dir, int64_t num_shards = 1) const;
  /// Reads a folder written by HF's or afinar's save_to_disk (memory-mapped).
  static Dataset load_from_disk(const std::filesystem::path& dir);
  void to_parquet(const std::filesystem::path& file) const;
  /// CSV with a header row and no index column (HF: pandas to_csv(index=False)).
  void to_csv(const std::filesystem::path& file) const;
  /// JSON Lines, one object per row (HF's default orient="records", lines=True); UTF-8 kept.
  void to_json(const std::filesystem::path& file) const;

  /// HF's push_to_hub (see push_to_hub.h): this dataset as split `options.split` of the Hub
  /// dataset `repo_id`, in one commit. Returns the commit's sha.
  std::string push_to_hub(const std::string& repo_id, const PushToHubOptions& options) const;

  /// HF-style repr: Dataset({ features: [...], num_rows: N }); lines after the first are
  /// indented by `indent` spaces (for nesting).
  std::string repr(int indent = 0) const;

 private:
  std::shared_ptr<arrow::Table> table_;
  std::string origin_;
  std::string fingerprint_;
  /// Set by map() when table_ is exactly one whole cache file, written once and fsynced;
  /// save_to_disk hard-links it instead of writing and syncing the rows again. Every other
  /// constructor leaves it empty, so a derived dataset never claims the file.
  std::filesystem::path backing_file_;
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

  /// The Dataset transform applied to every split, as HF's DatasetDict methods (each split's map
  /// has its own cache entry, keyed by that split's fingerprint).
  DatasetDict map(const BatchFunction& function, const MapOptions& options) const;
  DatasetDict filter(const BatchPredicate& predicate, int64_t batch_size = 1000, const std::string& transform = "") const;
  DatasetDict shuffle(uint64_t seed) const;
  DatasetDict remove_columns(const std::vector<std::string>& names) const;
  DatasetDict rename_column(const std::string& from, const std::string& to) const;
  DatasetDict cast_column(const std::string& name, const Feature& feature) const;
  /// The names come from every split together, so that ids agree across splits.
  DatasetDict class_encode_column(const std::string& name) const;
  DatasetDict flatten() const;

  /// Writes dataset_dict.json ({"splits": [...]}) and one save_to_disk folder per split.
  void save_to_disk(const std::filesystem::path& dir) const;
  static DatasetDict load_from_disk(const std::filesystem::path& dir);

  /// HF's DatasetDict.push_to_hub (see push_to_hub.h); every split has the same features.
  /// Returns the commit's sha.
  std::string push_to_hub(const std::string& repo_id, const PushToHubOptions& options) const;

 private:
  std::vector<std::pair<std::string, Dataset>> splits_;
};

/// HF's concatenate_datasets (axis=0): rows of every dataset in order; features must agree.
Dataset concatenate_datasets(const std::vector<Dataset>& datasets);
/// datasets.load_from_disk: a Dataset folder (state.json) or a DatasetDict folder (dataset_dict.json).
bool is_dataset_dict_dir(const std::filesystem::path& dir);

std::ostream& operator<<(std::ostream& os, const Dataset& ds);
std::ostream& operator<<(std::ostream& os, const DatasetDict& dd);

}  // namespace afinar
