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
  /// With a builder name and no data_files: the folder whose files make the splits by HF's folder
  /// rules (HF's data_dir), e.g. load_dataset("conll", {.data_dir = "conll2003"}).
  std::string data_dir{};
  /// Where the files are prepared (HF's cache_dir): json/csv/tsv/text/parquet files are converted
  /// batch by batch into Arrow files under it and memory-mapped; empty → datasets_cache_dir().
  std::string cache_dir{};
};

/// path: a builder name (json|csv|tsv|parquet|arrow|text|conll) with data_files or data_dir, a local folder, a
/// local file (→ split "train"), or a Hub dataset id (its cached snapshot, read as a folder).
/// Folders follow HF's split naming: data/<split>-NNNNN-of-NNNNN.*, then train/validation/test
/// folders, then file names holding train|training, validation|valid|dev|val,
/// test|testing|eval|evaluation; else every data file is "train".
/// Errors: FormatError names the file, line and column where the input is missing or malformed;
/// InvalidArgument lists the builders or splits that exist.
/// The "conll" builder reads CoNLL-2003 files as HF's conll2003: id, tokens, and pos_tags /
/// chunk_tags / ner_tags as ClassLabel sequences with conll2003's names.
DatasetDict load_dataset(const std::string& path, const LoadDatasetOptions& options = {});

/// HF's load_dataset(path, split=spec): one Dataset with the rows `spec` names (see select_split).
///
///   auto head = afinar::load_dataset_split("conll", "train[:10%]", {.data_dir = "conll2003"});
Dataset load_dataset_split(const std::string& path, const std::string& split, const LoadDatasetOptions& options = {});

/// The rows of HF's split spec (ReadInstruction.from_spec) in `dd`: "train", "test[100:200]",
/// "train[:10%]", "validation[-5%:]", "train[10%:20%](pct1_dropremainder)", "train+test[:5]".
/// Percent bounds round to the closest row (Python's round, half to even) unless
/// "(pct1_dropremainder)" asks for boundary × trunc(n / 100); negative bounds count from the end;
/// bounds are clamped to the split. Throws InvalidArgument for a malformed spec or an unknown split.
Dataset select_split(const DatasetDict& dd, const std::string& spec);

/// Loads one file by its extension (.jsonl/.json, .csv, .tsv, .parquet, .arrow, .txt), as
/// load_dataset does: prepared into datasets_cache_dir()/<builder>/ batch by batch (bounded
/// memory whatever the file's size) and memory-mapped; a second load of the unchanged file reads
/// that cache file. Arrow files are memory-mapped in place.
Dataset load_file(const std::string& file);

}  // namespace afinar
