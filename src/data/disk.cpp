// save_to_disk / load_from_disk in HF's on-disk format (datasets/arrow_dataset.py save_to_disk):
//   <dir>/data-00000-of-0000N.arrow   Arrow IPC streams, the features in the schema metadata
//   <dir>/dataset_info.json           {"citation", "description", "features", "homepage", "license"}
//   <dir>/state.json                  {"_data_files": [{"filename"}], "_fingerprint", ...}
//   DatasetDict: <dir>/dataset_dict.json {"splits": [...]} and one such folder per split.
#include <arrow/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "afinar/core/fs.h"
#include "afinar/data/dataset.h"
#include "readers.h"

namespace afinar {
namespace {

using nlohmann::ordered_json;
using data::check_ok;
using data::unwrap;

std::string shard_name(int64_t index, int64_t count) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "data-%05lld-of-%05lld.arrow", static_cast<long long>(index),
                static_cast<long long>(count));
  return buf;
}

/// Writes `table` as an Arrow IPC stream (HF's ArrowWriter format) and fsyncs it.
void write_ipc_stream(const fs::path& file, const std::shared_ptr<arrow::Table>& table) {
  auto out = unwrap(arrow::io::FileOutputStream::Open(file.string()), file.string());
  auto writer = unwrap(arrow::ipc::MakeStreamWriter(out, table->schema()), file.string());
  // 1000-row batches, as WriteTable(max_chunk_size=1000); a memory-mapped source is released
  // batch by batch so that saving a large cached map does not keep it resident.
  arrow::TableBatchReader reader(*table);
  reader.set_chunksize(1000);
  std::shared_ptr<arrow::RecordBatch> batch;
  while (true) {
    check_ok(reader.ReadNext(&batch), file.string());
    if (!batch) break;
    check_ok(writer->WriteRecordBatch(*batch), file.string());
    data::release_pages(*batch);
  }
  check_ok(writer->Close(), file.string());
  check_ok(out->Close(), file.string());
  fsync_path(file);
}

ordered_json read_json(const fs::path& file) {
  try {
    return ordered_json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(file.string(), ": malformed JSON: ", e.what()));
  }
}

}  // namespace

void Dataset::save_to_disk(const fs::path& dir, int64_t num_shards) const {
  const int64_t n = num_rows();
  AFINAR_CHECK(num_shards >= 1, "save_to_disk: num_shards must be >= 1, got ", num_shards);
  AFINAR_CHECK(num_shards == 1 || num_shards <= n, "save_to_disk: num_shards=", num_shards, " exceeds the ", n, " rows");
  const Features features = this->features();
  auto table = table_ ? data::with_features(table_, features) : arrow::Table::Make(features.arrow_schema(), arrow::ChunkedArrayVector{}, 0);
  AtomicDir out(dir);
  ordered_json files = ordered_json::array();
  for (int64_t k = 0; k < num_shards; ++k) {
    // HF's contiguous shards: the first n % num_shards shards hold one row more.
    const int64_t div = n / num_shards, mod = n % num_shards;
    const int64_t start = div * k + std::min(k, mod), len = div + (k < mod ? 1 : 0);
    const std::string name = shard_name(k, num_shards);
    // A map() output saved whole is already an fsynced IPC stream with these exact rows and
    // schema: a hard link saves rewriting and syncing it (8 GB in the larger-than-RAM run).
    // Arrow files are never written in place, so sharing the inode with the cache is safe;
    // `cache clean` unlinks only the cache's name. Other filesystems fall back to writing.
    bool linked = false;
    if (num_shards == 1 && !backing_file_.empty() && table_->schema()->Equals(*table->schema(), true)) {
      std::error_code ec;
      fs::create_hard_link(backing_file_, out.path() / name, ec);
      linked = !ec;
    }
    if (!linked) write_ipc_stream(out.path() / name, table->Slice(start, len));
    files.push_back({{"filename", name}});
  }
  ordered_json info = {{"citation", ""}, {"description", ""}, {"features", features.to_json()},
                       {"homepage", ""}, {"license", ""}};
  write_file_atomic(out.path() / "dataset_info.json", info.dump(2));
  ordered_json state = {{"_data_files", files},         {"_fingerprint", fingerprint_},
                        {"_format_columns", nullptr},   {"_format_kwargs", ordered_json::object()},
                        {"_format_type", nullptr},      {"_output_all_columns", false},
                        {"_split", nullptr}};
  write_file_atomic(out.path() / "state.json", state.dump(2));
  out.commit();
}

Dataset Dataset::load_from_disk(const fs::path& dir) {
  AFINAR_CHECK_FORMAT(!fs::exists(dir / "dataset_dict.json"), dir.string(),
                      " holds a DatasetDict (dataset_dict.json); HINT: use DatasetDict::load_from_disk");
  AFINAR_CHECK_FORMAT(fs::is_regular_file(dir / "state.json"), dir.string(),
                      ": no state.json; not a folder written by save_to_disk");
  const auto state = read_json(dir / "state.json");
  AFINAR_CHECK_FORMAT(state.contains("_data_files") && state["_data_files"].is_array(), (dir / "state.json").string(),
                      ": no _data_files list");
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& f : state["_data_files"]) {
    const std::string name = f.value("filename", "");
    AFINAR_CHECK_FORMAT(!name.empty() && name.find('/') == std::string::npos && name != "..",
                        (dir / "state.json").string(), ": bad data file name '", name, "'");
    tables.push_back(data::read_arrow_ipc(dir / name));
  }
  AFINAR_CHECK_FORMAT(!tables.empty(), (dir / "state.json").string(), ": _data_files is empty");
  auto table = tables.size() == 1 ? tables.front() : unwrap(arrow::ConcatenateTables(tables), dir.string());
  if (fs::is_regular_file(dir / "dataset_info.json")) {
    const auto info = read_json(dir / "dataset_info.json");
    if (info.contains("features") && info["features"].is_object()) {
      Features f;
      try {
        f = Features::from_json(info["features"]);
      } catch (const FormatError&) {
        // a feature type afinar does not read: the schema metadata (read per column) stands
      }
      // dataset_info.json wins where it agrees with the stored types, as HF's load_from_disk.
      bool agrees = int(f.size()) == table->num_columns();
      for (int i = 0; agrees && i < table->num_columns(); ++i)
        agrees = f.fields()[size_t(i)].first == table->field(i)->name() &&
                 f.fields()[size_t(i)].second.arrow_type()->Equals(*table->field(i)->type());
      if (agrees) table = data::with_features(table, f);
    }
  }
  const std::string fp = state.value("_fingerprint", "");
  return Dataset(table, dir.string(), fp);
}

void DatasetDict::save_to_disk(const fs::path& dir) const {
  AtomicDir out(dir);
  ordered_json splits = ordered_json::array();
  for (const auto& [name, ds] : splits_) {
    AFINAR_CHECK(!name.empty() && name.find('/') == std::string::npos && name != "." && name != "..",
                 "save_to_disk: split name '", name, "' cannot be a folder name");
    ds.save_to_disk(out.path() / name);
    splits.push_back(name);
  }
  write_file_atomic(out.path() / "dataset_dict.json", ordered_json({{"splits", splits}}).dump());
  out.commit();
}

DatasetDict DatasetDict::load_from_disk(const fs::path& dir) {
  AFINAR_CHECK_FORMAT(is_dataset_dict_dir(dir), dir.string(),
                      ": no dataset_dict.json; HINT: a single split loads with Dataset::load_from_disk");
  const auto j = read_json(dir / "dataset_dict.json");
  AFINAR_CHECK_FORMAT(j.contains("splits") && j["splits"].is_array(), (dir / "dataset_dict.json").string(),
                      ": no splits list");
  DatasetDict dd;
  for (const auto& s : j["splits"]) {
    const std::string name = s.get<std::string>();
    AFINAR_CHECK_FORMAT(name.find('/') == std::string::npos && name != "..", "bad split name '", name, "'");
    dd.set(name, Dataset::load_from_disk(dir / name));
  }
  return dd;
}

bool is_dataset_dict_dir(const fs::path& dir) { return fs::is_regular_file(dir / "dataset_dict.json"); }

}  // namespace afinar
