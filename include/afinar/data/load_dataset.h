/// load_dataset: local files, folders and Hub dataset ids into a DatasetDict.
///
///   afinar::LoadDatasetOptions o;
///   o.data_files = {{"train", {"train.jsonl"}}, {"test", {"test.jsonl"}}};
///   auto dd = afinar::load_dataset("json", o);
///   auto dd2 = afinar::load_dataset("rotten_tomatoes");          // Hub id through the HF cache
///   auto dd3 = afinar::load_dataset("path/to/folder_with_splits"); // train*/validation*/test* files
#pragma once
#include <map>
#include <string>
#include <vector>

#include "afinar/data/dataset.h"

namespace afinar {

struct LoadDatasetOptions {
  /// split name → files. With a builder name as path, or relative to a folder given as path.
  /// Several files of one split are concatenated (same schema required). Splits come out in the
  /// order train, validation, test, then the others by name.
  std::map<std::string, std::vector<std::string>> data_files;
  std::string revision = "main";
};

/// path: a builder name (json|csv|tsv|parquet|arrow|text) with data_files, a local folder, a
/// local file (→ split "train"), or a Hub dataset id (its cached snapshot, read as a folder).
/// Folders follow HF's split naming: data/<split>-NNNNN-of-NNNNN.*, then train/validation/test
/// folders, then file names holding train|training, validation|valid|dev|val,
/// test|testing|eval|evaluation; else every data file is "train".
/// Errors: FormatError names the file, line and column where the input is missing or malformed;
/// InvalidArgument lists the builders or splits that exist.
DatasetDict load_dataset(const std::string& path, const LoadDatasetOptions& options = {});

/// Loads one file by its extension (.jsonl/.json, .csv, .tsv, .parquet, .arrow, .txt).
Dataset load_file(const std::string& file);

}  // namespace afinar
