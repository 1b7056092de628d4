// CSV, Parquet, Arrow IPC and text readers, and the extension → builder table.
#include "readers.h"

#include <arrow/api.h>
#include <arrow/compute/initialize.h>
#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <regex>

#include "afinar/core/fs.h"

namespace afinar::data {
namespace {

void check_exists(const fs::path& file) {
  std::error_code ec;
  AFINAR_CHECK_FORMAT(fs::is_regular_file(file, ec), file.string(), ": no such file");
}

}  // namespace

std::string csv_message(const fs::path& file, const arrow::Status& s) {
  static const std::regex row_re(R"(Row #(\d+): )");
  std::string msg = s.message();
  std::smatch m;
  if (std::regex_search(msg, m, row_re))
    return detail::concat(file.string(), ":", m[1].str(), ": malformed CSV: ", m.suffix().str());
  return detail::concat(file.string(), ": malformed CSV: ", msg);
}

namespace {

/// The memory maps of the Arrow files read here (their root buffers). A buffer inside one is
/// read-only file data: dropping its pages from this process (MADV_DONTNEED) keeps them in the
/// page cache and a later touch reads them again from there. Any other immutable buffer may be
/// heap memory, which DONTNEED would zero: those get MADV_PAGEOUT (never discards data).
std::mutex& regions_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::weak_ptr<arrow::Buffer>>& registered_regions() {
  static std::vector<std::weak_ptr<arrow::Buffer>> r;
  return r;
}

std::shared_ptr<arrow::Buffer> register_mapped_region(arrow::io::MemoryMappedFile& file, const fs::path& path) {
  const int64_t size = unwrap(file.GetSize(), path.string());
  if (size == 0) return nullptr;
  std::shared_ptr<arrow::Buffer> root = unwrap(file.ReadAt(0, size), path.string());
  while (root->parent()) root = root->parent();
  std::lock_guard lock(regions_mutex());
  auto& r = registered_regions();
  std::erase_if(r, [](const auto& w) { return w.expired(); });
  r.push_back(root);
  return root;
}

/// The mapped region holding `buf`, or null.
std::shared_ptr<arrow::Buffer> mapped_region_of(const arrow::Buffer& buf) {
  const arrow::Buffer* root = &buf;
  while (root->parent()) root = root->parent().get();
  std::lock_guard lock(regions_mutex());
  for (const auto& w : registered_regions())
    if (auto r = w.lock(); r && r.get() == root) return r;
  return nullptr;
}

void release_buffers(const arrow::ArrayData& data, uintptr_t page) {
  for (const auto& buf : data.buffers) {
    // Only immutable CPU buffers: those of memory-mapped files (pool memory is mutable).
    if (!buf || buf->is_mutable() || !buf->is_cpu() || buf->size() == 0) continue;
    const auto lo = reinterpret_cast<uintptr_t>(buf->data()), hi = lo + uintptr_t(buf->size());
    if (auto region = mapped_region_of(*buf)) {
      // The pages the buffer touches, within the map: a page shared with a neighbouring buffer
      // comes back from the page cache when that one is touched.
      const auto rlo = reinterpret_cast<uintptr_t>(region->data()), rhi = rlo + uintptr_t(region->size());
      const auto start = std::max(lo, rlo) & ~(page - 1);
      const auto end = (std::min(hi, rhi) + page - 1) & ~(page - 1);
      if (end > start) ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
      continue;
    }
    // Whole pages inside the buffer only; MADV_PAGEOUT never discards data, so a page shared
    // with a neighbouring buffer would be safe too, but it would be read again at once.
    const auto start = (lo + page - 1) & ~(page - 1), end = hi & ~(page - 1);
    if (end > start) ::madvise(reinterpret_cast<void*>(start), end - start, MADV_PAGEOUT);
  }
  for (const auto& child : data.child_data)
    if (child) release_buffers(*child, page);
  if (data.dictionary) release_buffers(*data.dictionary, page);
}

uintptr_t page_size() {
  static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

void release_pages(const arrow::RecordBatch& batch) {
  for (const auto& col : batch.column_data())
    if (col) release_buffers(*col, page_size());
}

namespace {

void collect_regions(const arrow::ArrayData& data, std::vector<std::shared_ptr<arrow::Buffer>>& out) {
  for (const auto& buf : data.buffers) {
    if (!buf || buf->size() == 0) continue;
    auto r = mapped_region_of(*buf);
    if (r && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  }
  for (const auto& child : data.child_data)
    if (child) collect_regions(*child, out);
}

}  // namespace

std::vector<std::shared_ptr<arrow::Buffer>> mapped_regions(const arrow::ChunkedArray& column) {
  std::vector<std::shared_ptr<arrow::Buffer>> out;
  for (const auto& chunk : column.chunks()) collect_regions(*chunk->data(), out);
  return out;
}

void advise_region(const arrow::Buffer& region, int advice) {
  const auto page = page_size();
  const auto lo = reinterpret_cast<uintptr_t>(region.data()) & ~(page - 1);
  const auto hi = (reinterpret_cast<uintptr_t>(region.data()) + uintptr_t(region.size()) + page - 1) & ~(page - 1);
  ::madvise(reinterpret_cast<void*>(lo), hi - lo, advice);
}

void release_pages(const arrow::Array& array) {
  release_buffers(*array.data(), page_size());
}

void init_compute() {
  static std::once_flag once;
  std::call_once(once, [] { check_ok(arrow::compute::Initialize(), "arrow compute init"); });
}

std::shared_ptr<arrow::Table> read_csv(const fs::path& file, char delimiter) {
  check_exists(file);
  auto input = unwrap(arrow::io::ReadableFile::Open(file.string()), file.string());
  auto read = arrow::csv::ReadOptions::Defaults();
  // The serial reader keeps row numbers in its errors; the threaded one cannot.
  read.use_threads = false;
  auto parse = arrow::csv::ParseOptions::Defaults();
  parse.delimiter = delimiter;
  parse.newlines_in_values = true;  // quoted fields may span lines, as pandas (HF's CSV reader) allows
  auto convert = arrow::csv::ConvertOptions::Defaults();
  auto reader = arrow::csv::TableReader::Make(arrow::io::default_io_context(), input, read, parse, convert);
  if (!reader.ok()) throw FormatError(csv_message(file, reader.status()));
  auto table = (*reader)->Read();
  if (!table.ok()) throw FormatError(csv_message(file, table.status()));
  return *table;
}

std::shared_ptr<arrow::Table> read_parquet(const fs::path& file) {
  check_exists(file);
  auto input = unwrap(arrow::io::MemoryMappedFile::Open(file.string(), arrow::io::FileMode::READ), file.string());
  auto reader =
      unwrap(parquet::arrow::OpenFile(input, arrow::default_memory_pool()), file.string() + ": not a Parquet file");
  return unwrap(reader->ReadTable(), file.string() + ": reading Parquet");
}

std::shared_ptr<arrow::Table> read_arrow_ipc(const fs::path& file) {
  check_exists(file);
  // Memory-mapped: the table's buffers point into the file, so large cache files cost no copy.
  auto input = unwrap(arrow::io::MemoryMappedFile::Open(file.string(), arrow::io::FileMode::READ), file.string());
  // Reading the table touches only each record batch's metadata (a few hundred bytes before its
  // body). With the kernel's default read-around every such touch would read a megabyte or so
  // from disk — a cache file of tens of thousands of batches read whole when it is not in the
  // page cache. Read at random while scanning, then the default again, and the touched pages
  // dropped from this process (they stay in the page cache).
  struct ScanAdvice {
    std::shared_ptr<arrow::Buffer> region;
    explicit ScanAdvice(std::shared_ptr<arrow::Buffer> r) : region(std::move(r)) {
      if (region) advise_region(*region, MADV_RANDOM);
    }
    ~ScanAdvice() {
      if (!region) return;
      advise_region(*region, MADV_NORMAL);
      advise_region(*region, MADV_DONTNEED);
    }
  } advice(register_mapped_region(*input, file));
  if (auto reader = arrow::ipc::RecordBatchFileReader::Open(input); reader.ok())
    return unwrap((*reader)->ToTable(), file.string() + ": reading Arrow IPC file");
  check_ok(input->Seek(0), file.string());
  auto stream = unwrap(arrow::ipc::RecordBatchStreamReader::Open(input),
                       file.string() + ": neither an Arrow IPC file nor an Arrow IPC stream");
  return unwrap(stream->ToTable(), file.string() + ": reading Arrow IPC stream");
}

std::shared_ptr<arrow::Table> read_text(const fs::path& file) {
  std::string text = read_file(file);
  arrow::StringBuilder b;
  // Universal newlines as Python's text mode: "\r\n" and "\r" end a line like "\n"; the final
  // line ending does not open an empty row.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string::npos) end = text.size();
    check_ok(b.Append(text.data() + start, int32_t(end - start)), file.string());
    start = end + (end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n' ? 2 : 1);
  }
  auto array = unwrap(b.Finish(), file.string());
  return arrow::Table::Make(arrow::schema({arrow::field("text", arrow::utf8())}), {array});
}

std::string builder_for_extension(const fs::path& file) {
  std::string ext = file.extension().string();
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".jsonl" || ext == ".json" || ext == ".ndjson") return "json";
  if (ext == ".csv") return "csv";
  if (ext == ".tsv") return "tsv";
  if (ext == ".parquet") return "parquet";
  if (ext == ".arrow") return "arrow";
  if (ext == ".txt") return "text";
  return "";
}

std::shared_ptr<arrow::Table> read_with_builder(const std::string& builder, const fs::path& file) {
  if (builder == "json") {
    check_exists(file);
    return read_json(file);
  }
  if (builder == "csv") return read_csv(file, ',');
  if (builder == "tsv") return read_csv(file, '\t');
  if (builder == "parquet") return read_parquet(file);
  if (builder == "arrow") return read_arrow_ipc(file);
  if (builder == "text") {
    check_exists(file);
    return read_text(file);
  }
  if (builder == "conll") return read_conll(file);
  throw InvalidArgument("unknown builder '" + builder + "'; afinar has json, csv, tsv, parquet, arrow, text, conll");
}

}  // namespace afinar::data
