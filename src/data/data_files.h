// HF datasets' data-files resolution for a folder (datasets/data_files.py): which files make
// which split when load_dataset is given a folder or a Hub snapshot without explicit data_files.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace afinar::data {

namespace fs = std::filesystem;

using SplitFiles = std::vector<std::pair<std::string, std::vector<fs::path>>>;

/// Splits of `dir` in HF's order (train, validation, test, then others sorted), each with its
/// files. The first rule that matches any file wins, as in HF:
///   1. sharded names data/<split>-NNNNN-of-NNNNN*.* (any split name);
///   2. a folder named by a split keyword (train/, data/validation/, dev-2/...);
///   3. a file name holding a split keyword between separators (train.jsonl, my_test-0.csv);
///   4. every data file → train.
/// Keywords: train|training; validation|valid|dev|val; test|testing|eval|evaluation; separators
/// are "-._ " and digits. Hidden files and folders, "__*" folders, README.md and HF's metadata
/// files are skipped, as are files afinar cannot read (by extension).
SplitFiles resolve_folder(const fs::path& dir);

/// The builder shared by most files (ties: parquet, then alphabetical), as HF infers the module.
std::string infer_builder(const SplitFiles& splits);

/// What load_dataset(path, options) reads: the builder ("" → by each file's extension) and the
/// files of each split, in split order. Shared by load_dataset and load_iterable_dataset.
struct ResolvedSplits {
  std::string builder;
  SplitFiles splits;
};
}  // namespace afinar::data

namespace afinar {
struct LoadDatasetOptions;
namespace data {
ResolvedSplits resolve_splits(const std::string& path, const LoadDatasetOptions& options);
}  // namespace data
}  // namespace afinar
