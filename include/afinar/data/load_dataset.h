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
  /// split name → files. With a builder name ("json", "csv", "parquet") as path.
  std::map<std::string, std::vector<std::string>> data_files;
  std::string revision = "main";
};

/// path: a builder name (json|csv|parquet) with data_files, a local folder, a local file, or a
/// Hub dataset id. Errors name the file, line and column where the input is malformed.
DatasetDict load_dataset(const std::string& path, const LoadDatasetOptions& options = {});

/// Loads one file by its extension (.jsonl/.json, .csv, .parquet).
Dataset load_file(const std::string& file);

}  // namespace afinar
