// load_dataset: builder names with data_files, local files, local folders and Hub dataset ids.
#include "afinar/data/load_dataset.h"

#include <arrow/api.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "afinar/hub/cache.h"
#include "data_files.h"
#include "fingerprint.h"
#include "readers.h"

namespace afinar {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string>& builder_names() {
  static const std::vector<std::string> names = {"json", "csv", "tsv", "parquet", "arrow", "text", "conll"};
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

/// Reads the files of one split (each prepared into the cache, memory-mapped) and concatenates
/// them; their schemas must agree.
Dataset load_split(const std::string& builder, const std::vector<fs::path>& files, const std::string& cache_dir) {
  AFINAR_CHECK(!files.empty(), "a split needs at least one data file");
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& f : files) {
    const std::string b = builder.empty() ? data::builder_for_extension(f) : builder;
    AFINAR_CHECK(!b.empty(), f.string(), ": unknown file extension '", f.extension().string(),
                 "'; afinar reads .jsonl .json .csv .tsv .parquet .arrow .txt");
    tables.push_back(data::prepare_file(b, f, {.cache_dir = cache_dir}));
    const auto& first = *tables.front()->schema();
    const auto& cur = *tables.back()->schema();
    AFINAR_CHECK_FORMAT(cur.Equals(first, /*check_metadata=*/false), "schema of ", f.string(), " (", cur.ToString(),
                        ") differs from the schema of ", files.front().string(), " (", first.ToString(),
                        "); HINT: the files of one split must have the same columns and types");
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
  return Dataset(data::prepare_file(builder, file), file, data::files_fingerprint({file}));
}

namespace data {

ResolvedSplits resolve_splits(const std::string& path, const LoadDatasetOptions& options) {
  if (is_builder(path)) {
    if (options.data_files.empty() && !options.data_dir.empty()) {
      std::error_code ec;
      AFINAR_CHECK_FORMAT(fs::is_directory(options.data_dir, ec), "load_dataset('", path, "'): data_dir ",
                          options.data_dir, " is not a folder");
      ResolvedSplits r{path, resolve_folder(options.data_dir)};
      AFINAR_CHECK_FORMAT(!r.splits.empty(), "load_dataset('", path, "'): no data files in ", options.data_dir);
      return r;
    }
    AFINAR_CHECK(
        !options.data_files.empty(), "load_dataset('", path,
        "') needs options.data_files (split → files) or options.data_dir, e.g. {{\"train\", {\"train.jsonl\"}}}");
    return files_of(path, options, options.data_dir);
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
  for (const auto& [split, files] : resolved.splits)
    dd.set(split, load_split(resolved.builder, files, options.cache_dir));
  return dd;
}

Dataset load_dataset_split(const std::string& path, const std::string& split, const LoadDatasetOptions& options) {
  return select_split(load_dataset(path, options), split);
}

Dataset select_split(const DatasetDict& dd, const std::string& spec) {
  // ReadInstruction.from_spec: parts joined by '+', each split[from:to](rounding).
  static const std::regex part_re(
      R"(^\s*([\w\-.]+)(?:\[(?:(-?[\d_]+)(%)?)?:(?:(-?[\d_]+)(%)?)?\])?(?:\(([^)]*)\))?\s*$)");
  std::vector<Dataset> parts;
  std::string fp_parts;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t plus = spec.find('+', start);
    if (plus == std::string::npos) plus = spec.size();
    const std::string part = spec.substr(start, plus - start);
    start = plus + 1;
    std::smatch m;
    AFINAR_CHECK(std::regex_match(part, m, part_re), "Unrecognized split format: '", part, "' in '", spec,
                 "'; HINT: use split, split[from:to] or split[from%:to%], joined by '+'");
    const std::string name = m[1].str();
    AFINAR_CHECK(dd.contains(name), "Unknown split \"", name, "\". Should be one of ", join(dd.splits()), ".");
    const bool from_pct = m[3].matched, to_pct = m[5].matched;
    AFINAR_CHECK(!m[2].matched || !m[4].matched || from_pct == to_pct, "split '", part,
                 "': from and to must use the same unit (rows or %)");
    const bool pct = from_pct || to_pct;
    const std::string rounding = m[6].matched ? m[6].str() : (pct ? "closest" : "");
    AFINAR_CHECK(rounding.empty() || rounding == "closest" || rounding == "pct1_dropremainder", "split '", part,
                 "': rounding must be either closest or pct1_dropremainder");
    AFINAR_CHECK(pct || rounding.empty(), "split '", part,
                 "': It is forbidden to specify rounding if not using percent slicing.");
    const Dataset& ds = dd[name];
    const int64_t n = ds.num_rows();
    auto number = [](std::string s) {
      std::erase(s, '_');
      return std::stoll(s);
    };
    auto to_abs = [&](int64_t boundary) -> int64_t {
      if (rounding == "pct1_dropremainder") {
        AFINAR_CHECK(n >= 100, "split '", part,
                     "': Using \"pct1_dropremainder\" rounding on a split with less than 100 "
                     "elements is forbidden: it always results in an empty dataset.");
        return boundary * (n / 100);
      }
      return int64_t(std::nearbyint(double(boundary) * double(n) / 100.0));  // round half to even
    };
    int64_t from = m[2].matched ? number(m[2].str()) : 0;
    int64_t to = m[4].matched ? number(m[4].str()) : n;
    if (pct) {
      from = m[2].matched ? to_abs(from) : 0;
      to = m[4].matched ? to_abs(to) : n;
    }
    if (from < 0) from = std::max<int64_t>(n + from, 0);
    if (to < 0) to = std::max<int64_t>(n + to, 0);
    from = std::min(from, n);
    to = std::min(to, n);
    const int64_t len = std::max<int64_t>(to - from, 0);
    const std::string fp =
        data::hash_parts({ds.fingerprint(), "select_split", std::to_string(from), std::to_string(len)});
    parts.emplace_back(ds.table()->Slice(from, len), ds.origin(), fp);
    fp_parts += fp;
    if (plus == spec.size()) break;
  }
  int64_t total = 0;
  for (const auto& p : parts) total += p.num_rows();
  AFINAR_CHECK(total > 0, "Instruction \"", spec, "\" corresponds to no data!");
  if (parts.size() == 1) return parts.front();
  Dataset out = concatenate_datasets(parts);
  return Dataset(out.table(), out.origin(), data::hash_parts({parts.front().fingerprint(), "concat", fp_parts}));
}

}  // namespace afinar
