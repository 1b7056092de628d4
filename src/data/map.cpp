// Dataset::map over record batches into an Arrow cache file, and the cache's list/size/clean.
// The file is written as <cache>/cache-<fp>.arrow.tmp.<pid>, fsynced and renamed, so a failed
// map leaves no cache file; the input table is never written to.
#include "afinar/data/map.h"

#include <arrow/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>

#include "afinar/core/fs.h"
#include "fingerprint.h"
#include "pyrepr.h"
#include "readers.h"

namespace afinar {
namespace {

using data::check_ok;
using data::unwrap;

/// The input batch minus `remove`, with the function's columns replacing or appended.
std::shared_ptr<arrow::RecordBatch> merge(const std::shared_ptr<arrow::RecordBatch>& in,
                                          const std::shared_ptr<arrow::RecordBatch>& fn_out,
                                          const std::vector<std::string>& remove, int64_t batch_index) {
  arrow::FieldVector fields;
  arrow::ArrayVector cols;
  for (int i = 0; i < in->num_columns(); ++i) {
    const auto& name = in->schema()->field(i)->name();
    if (std::find(remove.begin(), remove.end(), name) != remove.end()) continue;
    fields.push_back(in->schema()->field(i));
    cols.push_back(in->column(i));
  }
  const int64_t rows = fn_out ? fn_out->num_rows() : in->num_rows();
  AFINAR_CHECK(cols.empty() || rows == in->num_rows(), "map: batch ", batch_index, " returned ", rows, " rows for ",
               in->num_rows(), " input rows; HINT: a map that changes the row count must remove every input column");
  for (int i = 0; fn_out && i < fn_out->num_columns(); ++i) {
    const auto& f = fn_out->schema()->field(i);
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& g) { return g->name() == f->name(); });
    if (it == fields.end()) {
      fields.push_back(f);
      cols.push_back(fn_out->column(i));
    } else {
      *it = f;
      cols[size_t(it - fields.begin())] = fn_out->column(i);
    }
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), rows, cols);
}

/// Output features: the input's feature for a kept column whose type is unchanged, else inferred.
Features output_features(const Features& in, const arrow::Schema& out) {
  Features f;
  for (const auto& field : out.fields()) {
    if (in.contains(field->name()) && in[field->name()].arrow_type()->Equals(*field->type()))
      f.set(field->name(), in[field->name()]);
    else
      f.set(field->name(), Feature::from_arrow(*field->type()));
  }
  return f;
}

bool is_cache_name(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.starts_with("cache-") && n.ends_with(".arrow");
}

}  // namespace

fs::path datasets_cache_dir() {
  if (const char* c = std::getenv("HF_DATASETS_CACHE"); c && *c) return c;
  if (const char* h = std::getenv("HF_HOME"); h && *h) return fs::path(h) / "datasets";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".cache" / "huggingface" / "datasets";
}

Dataset Dataset::map(const BatchFunction& function, const MapOptions& o) const {
  AFINAR_CHECK(o.batch_size > 0, "map: batch_size must be positive, got ", o.batch_size);
  AFINAR_CHECK(o.writer_batch_size > 0, "map: writer_batch_size must be positive, got ", o.writer_batch_size);
  for (const auto& n : o.remove_columns) column(n);
  std::string fp;
  fs::path cache_file;
  if (!o.transform.empty() && !data::is_in_memory_fingerprint(fingerprint_)) {
    std::string removed;
    for (const auto& n : o.remove_columns) removed += n + '\0';
    fp = data::hash_parts({fingerprint_, "map", o.transform, o.transform_key, std::to_string(o.batch_size), removed});
    const fs::path dir = o.cache_dir.empty() ? datasets_cache_dir() / "map" : o.cache_dir;
    cache_file = dir / ("cache-" + fp + ".arrow");
    if (o.load_from_cache_file && fs::is_regular_file(cache_file)) {
      Dataset cached(data::read_arrow_ipc(cache_file), cache_file.string(), fp);
      cached.backing_file_ = cache_file;
      return cached;
    }
    fs::create_directories(dir);
  }

  const Features in_features = features();
  auto source = table_ ? table_ : arrow::Table::Make(arrow::schema({}), arrow::ChunkedArrayVector{}, 0);
  arrow::TableBatchReader reader(*source);
  reader.set_chunksize(o.batch_size);
  // Without a cache file the batches are kept; with one each is written as it comes, so the
  // output of a map never has to fit in memory.
  std::vector<std::shared_ptr<arrow::RecordBatch>> out_batches;
  std::shared_ptr<arrow::Schema> schema;
  fs::path tmp = cache_file;
  tmp += ".tmp." + std::to_string(::getpid());
  std::shared_ptr<arrow::io::FileOutputStream> out;
  std::shared_ptr<arrow::io::BufferedOutputStream> buffered;  // the IPC writer's many small writes
  std::shared_ptr<arrow::ipc::RecordBatchWriter> writer;
  int64_t index = 0;
  // Outputs gathered into record batches of writer_batch_size rows before they are written.
  std::vector<std::shared_ptr<arrow::RecordBatch>> gathered, gathered_inputs;
  int64_t gathered_rows = 0;
  auto write_gathered = [&] {
    if (gathered.empty()) return;
    if (!writer) {
      out = unwrap(arrow::io::FileOutputStream::Open(tmp.string()), tmp.string());
      buffered =
          unwrap(arrow::io::BufferedOutputStream::Create(1 << 20, arrow::default_memory_pool(), out), tmp.string());
      writer = unwrap(arrow::ipc::MakeStreamWriter(buffered, schema), tmp.string());
    }
    const auto b =
        gathered.size() == 1 ? gathered.front() : unwrap(arrow::ConcatenateRecordBatches(gathered), tmp.string());
    check_ok(writer->WriteRecordBatch(*b), tmp.string());
    // Start writing the batch back now, while the next one is computed, so the fsync
    // at the end has little left to wait for (it still is what makes the file durable).
    check_ok(buffered->Flush(), tmp.string());
    (void)::sync_file_range(out->file_descriptor(), 0, 0, SYNC_FILE_RANGE_WRITE);
    // A memory-mapped input is read once: do not keep it resident.
    for (const auto& in : gathered_inputs) data::release_pages(*in);
    gathered.clear();
    gathered_inputs.clear();
    gathered_rows = 0;
  };
  auto run = [&](const std::shared_ptr<arrow::RecordBatch>& in, const std::shared_ptr<arrow::RecordBatch>& result) {
    auto merged = merge(in, result, o.remove_columns, index);
    if (!schema) {
      schema = output_features(in_features, *merged->schema()).arrow_schema();
    } else {
      AFINAR_CHECK(merged->schema()->Equals(*schema, /*check_metadata=*/false), "map: batch ", index,
                   " returned the schema ", merged->schema()->ToString(), ", the first batch ", schema->ToString());
    }
    auto b = arrow::RecordBatch::Make(schema, merged->num_rows(), merged->columns());
    if (cache_file.empty()) {
      out_batches.push_back(b);
    } else {
      gathered.push_back(b);
      gathered_inputs.push_back(in);
      gathered_rows += b->num_rows();
      if (gathered_rows >= o.writer_batch_size) write_gathered();
    }
    ++index;
  };
  // The function runs on a helper thread, one batch at a time and in order, while this thread
  // merges and writes the batch before: the writing is hidden behind the next call.
  auto call = [&](std::shared_ptr<arrow::RecordBatch> in) {
    return std::async(std::launch::async, [&function, in] { return function(in); });
  };
  std::future<std::shared_ptr<arrow::RecordBatch>> pending;
  try {
    std::shared_ptr<arrow::RecordBatch> batch;
    check_ok(reader.ReadNext(&batch), "map");
    if (batch) pending = call(batch);
    while (batch) {
      const auto in = batch;
      const auto result = pending.get();
      check_ok(reader.ReadNext(&batch), "map");
      if (batch) pending = call(batch);
      run(in, result);
    }
    if (index == 0) {
      const auto empty = unwrap(arrow::RecordBatch::MakeEmpty(source->schema()), "map");
      run(empty, function(empty));
    }
    if (cache_file.empty())
      return Dataset(unwrap(arrow::Table::FromRecordBatches(schema, out_batches), "map"), origin_);
    write_gathered();
    check_ok(writer->Close(), tmp.string());
    check_ok(buffered->Close(), tmp.string());  // closes `out` too
    fsync_path(tmp);
    fs::rename(tmp, cache_file);
    fsync_path(cache_file.parent_path());
  } catch (...) {
    if (pending.valid()) pending.wait();  // the call in flight finishes before the cleanup
    std::error_code ec;
    if (out && !out->closed()) (void)out->Close();
    if (!cache_file.empty()) fs::remove(tmp, ec);
    throw;
  }
  // Served from the file (memory-mapped), as a later cached run will be.
  Dataset result(data::read_arrow_ipc(cache_file), cache_file.string(), fp);
  result.backing_file_ = cache_file;
  return result;
}

void Dataset::iter(int64_t batch_size,
                   const std::function<void(const std::shared_ptr<arrow::RecordBatch>&)>& fn) const {
  AFINAR_CHECK(batch_size > 0, "iter: batch_size must be positive, got ", batch_size);
  if (!table_) return;
  arrow::TableBatchReader reader(*table_);
  reader.set_chunksize(batch_size);
  std::shared_ptr<arrow::RecordBatch> batch;
  while (true) {
    check_ok(reader.ReadNext(&batch), "iter");
    if (!batch) break;
    fn(batch);
    data::release_pages(*batch);
  }
}

std::vector<CacheFile> list_cache_files(const fs::path& dir) {
  std::vector<CacheFile> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || !is_cache_name(e.path())) continue;
    out.push_back({e.path(), e.file_size(), e.last_write_time()});
  }
  std::sort(out.begin(), out.end(), [](const CacheFile& a, const CacheFile& b) {
    return a.modified != b.modified ? a.modified > b.modified : a.path < b.path;
  });
  return out;
}

uintmax_t cache_size(const fs::path& dir) {
  uintmax_t total = 0;
  for (const auto& f : list_cache_files(dir)) total += f.size;
  return total;
}

size_t clean_cache(const fs::path& dir) {
  size_t removed = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::vector<fs::path> doomed;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.starts_with("cache-") &&
        (is_cache_name(e.path()) || n.find(".arrow.tmp.") != std::string::npos))
      doomed.push_back(e.path());
  }
  for (const auto& p : doomed) removed += fs::remove(p, ec) ? 1 : 0;
  return removed;
}

size_t prune_cache(const fs::path& dir, uintmax_t max_bytes) {
  auto files = list_cache_files(dir);  // newest first: keep from the front
  uintmax_t total = 0;
  size_t removed = 0;
  std::error_code ec;
  for (const auto& f : files) {
    total += f.size;
    if (total > max_bytes) removed += fs::remove(f.path, ec) ? 1 : 0;
  }
  return removed;
}

}  // namespace afinar
