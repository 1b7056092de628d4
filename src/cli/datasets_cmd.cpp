// `afinar datasets`: inspect, convert, tokenize and cache-manage datasets.
//   afinar datasets info rotten_tomatoes
//   afinar datasets convert train.csv train.parquet --format parquet
//   afinar datasets tokenize --tokenizer bert-base-uncased --input train.jsonl --output_dir tok/
//   afinar datasets cache list | clean
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/data/load_dataset.h"
#include "afinar/data/map.h"
#include "commands.h"

namespace afinar::cli {

// Shared with datasets_tokenize.cpp.
DatasetDict load_any_dataset(const std::string& path);
void add_datasets_tokenize_command(CLI::App& datasets);

/// A save_to_disk folder (Dataset or DatasetDict), else whatever load_dataset takes.
DatasetDict load_any_dataset(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (is_dataset_dict_dir(path)) return DatasetDict::load_from_disk(path);
    if (fs::is_regular_file(fs::path(path) / "state.json", ec)) {
      DatasetDict dd;
      dd.set("train", Dataset::load_from_disk(path));
      return dd;
    }
  }
  return load_dataset(path);
}

namespace {

const std::vector<std::string> kFormats = {"arrow", "parquet", "jsonl", "csv"};

void info(const std::string& path) {
  const DatasetDict dd = load_any_dataset(path);
  nlohmann::ordered_json splits = nlohmann::ordered_json::object();
  for (const auto& name : dd.splits()) {
    const Dataset& ds = dd[name];
    splits[name] = {{"num_rows", ds.num_rows()}, {"features", ds.features().to_json()}};
  }
  std::cout << nlohmann::ordered_json{{"splits", splits}}.dump(2) << "\n";
}

void write_split(const Dataset& ds, const fs::path& out, const std::string& format) {
  if (format == "arrow") ds.save_to_disk(out);
  else if (format == "parquet") ds.to_parquet(out);
  else if (format == "jsonl") ds.to_json(out);
  else ds.to_csv(out);
}

/// One split: OUT is the file (a save_to_disk folder for arrow). Several: OUT is a folder with
/// <split>.<ext> files (a DatasetDict save_to_disk folder for arrow), written atomically.
void convert(const std::string& in, const std::string& out, const std::string& format) {
  AFINAR_CHECK(std::find(kFormats.begin(), kFormats.end(), format) != kFormats.end(), "unknown --format '", format,
               "'; afinar writes arrow, parquet, jsonl, csv");
  AFINAR_CHECK(!fs::exists(out), out, " already exists; HINT: remove it or pick another output path");
  const DatasetDict dd = load_any_dataset(in);
  if (dd.size() == 1) {
    write_split(dd[dd.splits().front()], out, format);
  } else if (format == "arrow") {
    dd.save_to_disk(out);
  } else {
    AtomicDir dir(out);
    for (const auto& split : dd.splits()) write_split(dd[split], dir.path() / (split + "." + format), format);
    dir.commit();
  }
  std::cout << "wrote " << out << " (" << format << ", " << dd.size() << (dd.size() == 1 ? " split)" : " splits)")
            << "\n";
}

void cache(const std::string& action, std::string dir) {
  const fs::path d = dir.empty() ? datasets_cache_dir() / "map" : fs::path(dir);
  if (action == "clean") {
    const uintmax_t bytes = cache_size(d);
    std::cout << "removed " << clean_cache(d) << " cache files (" << bytes << " bytes) from " << d.string() << "\n";
    return;
  }
  const auto files = list_cache_files(d);
  for (const auto& f : files) std::cout << f.size << "\t" << f.path.string() << "\n";
  std::cout << files.size() << " cache files, " << cache_size(d) << " bytes in " << d.string() << "\n";
}

}  // namespace

void add_datasets_command(CLI::App& app) {
  auto* ds = app.add_subcommand("datasets", "Inspect, convert, tokenize and cache datasets");
  ds->require_subcommand(1);

  auto path = std::make_shared<std::string>();
  auto* i = ds->add_subcommand("info", "Print the splits, num_rows and features as JSON");
  i->add_option("path", *path, "a file, folder, save_to_disk folder or Hub dataset id")->required();
  i->callback([path] { info(*path); });

  struct ConvertArgs {
    std::string in, out, format;
  };
  auto c = std::make_shared<ConvertArgs>();
  auto* cv = ds->add_subcommand("convert", "Convert a dataset to arrow (save_to_disk), parquet, jsonl or csv");
  cv->add_option("input", c->in, "a file, folder, save_to_disk folder or Hub dataset id")->required();
  cv->add_option("output", c->out, "output file (a folder for arrow or several splits)")->required();
  cv->add_option("--format", c->format, "arrow | parquet | jsonl | csv")->required();
  cv->callback([c] { convert(c->in, c->out, c->format); });

  add_datasets_tokenize_command(*ds);

  struct CacheArgs {
    std::string action, dir;
  };
  auto k = std::make_shared<CacheArgs>();
  auto* ca = ds->add_subcommand("cache", "List or clean the map cache (HF_DATASETS_CACHE/map)");
  ca->add_option("action", k->action, "list | clean")->required()->check(CLI::IsMember({"list", "clean"}));
  ca->add_option("--cache_dir", k->dir, "the cache folder (default: HF_DATASETS_CACHE/map)");
  ca->callback([k] { cache(k->action, k->dir); });
}

}  // namespace afinar::cli
