// load_dataset: builder names with data_files, local files, local folders and Hub dataset ids.
#include "afinar/data/load_dataset.h"

#include <arrow/api.h>

#include <algorithm>

#include "afinar/hub/cache.h"
#include "data_files.h"
#include "fingerprint.h"
#include "readers.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string>& builder_names() {
  static const std::vector<std::string> names = {"json", "csv", "tsv", "parquet", "arrow", "text"};
  return names;
}

bool is_builder(const std::string& name) {
  const auto& b = builder_names();
  return std::find(b.begin(), b.end(), name) != b.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

/// Reads the files of one split and concatenates them; their schemas must agree.
Dataset load_split(const std::string& builder, const std::vector<fs::path>& files) {
  AFINAR_CHECK(!files.empty(), "a split needs at least one data file");
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& f : files) {
    const std::string b = builder.empty() ? data::builder_for_extension(f) : builder;
    AFINAR_CHECK(!b.empty(), f.string(), ": unknown file extension '", f.extension().string(),
                 "'; afinar reads .jsonl .json .csv .tsv .parquet .arrow .txt");
    tables.push_back(data::read_with_builder(b, f));
    const auto& first = *tables.front()->schema();
    const auto& cur = *tables.back()->schema();
    AFINAR_CHECK_FORMAT(cur.Equals(first, /*check_metadata=*/false), "schema of ", f.string(), " (",
                        cur.ToString(), ") differs from the schema of ", files.front().string(), " (",
                        first.ToString(), "); HINT: the files of one split must have the same columns and types");
  }
  std::string origin = files.front().string();
  if (files.size() > 1) origin += detail::concat(" (+", files.size() - 1, " more files)");
  const std::string fp = data::files_fingerprint(files);
  if (tables.size() == 1) return Dataset(tables.front(), origin, fp);
  auto table = data::unwrap(arrow::ConcatenateTables(tables), origin);
  return Dataset(table, origin, fp);
}

/// Split order: train, validation, test, then the others by name (HF keeps the user's dict
/// order; LoadDatasetOptions::data_files is a sorted map, so we use the canonical order).
std::vector<std::string> ordered_splits(const std::map<std::string, std::vector<std::string>>& data_files) {
  std::vector<std::string> out;
  for (const char* s : {"train", "validation", "test"})
    if (data_files.count(s)) out.push_back(s);
  for (const auto& [s, files] : data_files)
    if (s != "train" && s != "validation" && s != "test") out.push_back(s);
  return out;
}

data::ResolvedSplits files_of(const std::string& builder, const LoadDatasetOptions& options, const fs::path& base) {
  data::ResolvedSplits r{builder, {}};
  for (const auto& split : ordered_splits(options.data_files)) {
    std::vector<fs::path> files;
    for (const auto& f : options.data_files.at(split)) {
      fs::path p(f);
      files.push_back(p.is_absolute() || base.empty() ? p : base / p);
    }
    r.splits.emplace_back(split, std::move(files));
  }
  return r;
}

data::ResolvedSplits folder_files(const fs::path& dir, const LoadDatasetOptions& options) {
  if (!options.data_files.empty()) return files_of("", options, dir);
  auto splits = data::resolve_folder(dir);
  data::ResolvedSplits r{data::infer_builder(splits), {}};
  for (auto& [split, files] : splits) {
    // Like README.md, files of another format than the folder's main one are not data here.
    std::erase_if(files, [&](const fs::path& f) { return data::builder_for_extension(f) != r.builder; });
    if (!files.empty()) r.splits.emplace_back(split, std::move(files));
  }
  return r;
}

bool looks_like_path(const std::string& s) {
  return s.starts_with("/") || s.starts_with("./") || s.starts_with("../") || s.starts_with("~") ||
         !data::builder_for_extension(s).empty();
}

}  // namespace

Dataset load_file(const std::string& file) {
  const std::string builder = data::builder_for_extension(file);
  AFINAR_CHECK(!builder.empty(), file, ": unknown file extension '", fs::path(file).extension().string(),
               "'; afinar reads .jsonl .json .csv .tsv .parquet .arrow .txt");
  return Dataset(data::read_with_builder(builder, file), file, data::files_fingerprint({file}));
}

namespace data {

ResolvedSplits resolve_splits(const std::string& path, const LoadDatasetOptions& options) {
  if (is_builder(path)) {
    AFINAR_CHECK(!options.data_files.empty(), "load_dataset('", path,
                 "') needs options.data_files (split → files), e.g. {{\"train\", {\"train.jsonl\"}}}");
    return files_of(path, options, {});
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) return folder_files(path, options);
  if (fs::is_regular_file(path, ec)) {
    const std::string builder = builder_for_extension(path);
    AFINAR_CHECK(!builder.empty(), path, ": unknown file extension '", fs::path(path).extension().string(),
                 "'; afinar reads .jsonl .json .csv .tsv .parquet .arrow .txt");
    return {builder, {{"train", {fs::path(path)}}}};
  }
  AFINAR_CHECK_FORMAT(!looks_like_path(path), path, ": no such file or folder");
  AFINAR_CHECK(options.data_files.empty(), "unknown builder '", path, "'; builders: ", join(builder_names()));
  fs::path snapshot;
  try {
    snapshot = hub::resolve_repo(path, hub::RepoType::Dataset, options.revision);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(detail::concat("load_dataset('", path, "'): not a builder (", join(builder_names()),
                                         "), a local file or folder, nor a Hub dataset: ", e.what()));
  }
  return folder_files(snapshot, options);
}

}  // namespace data

DatasetDict load_dataset(const std::string& path, const LoadDatasetOptions& options) {
  const auto resolved = data::resolve_splits(path, options);
  DatasetDict dd;
  for (const auto& [split, files] : resolved.splits) dd.set(split, load_split(resolved.builder, files));
  return dd;
}

}  // namespace afinar
