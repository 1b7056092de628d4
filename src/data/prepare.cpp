// load_file's preparation of text and Parquet files into memory-mapped Arrow cache files, batch
// by batch (HF's builders' download_and_prepare): JSON Lines in blocks of lines with the types
// of all blocks unified as one parse of the whole file infers them, CSV through Arrow's
// streaming reader with its whole-file type inference, text lines, Parquet record batches.
#include <arrow/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/api.h>
#include <arrow/ipc/api.h>
#include <fcntl.h>
#include <parquet/arrow/reader.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <regex>
#include <unordered_map>

#include "afinar/core/fs.h"
#include "afinar/data/map.h"
#include "fingerprint.h"
#include "readers.h"
#include "schema_unify.h"

namespace afinar::data {
namespace {

/// Bumped whenever a builder's conversion changes, so that older cache files are not served.
constexpr const char* kPrepareVersion = "prepare-v1";

/// An Arrow IPC stream written to `<final>.tmp.<pid>` and renamed onto `final` by commit(), so
/// that a failed or interrupted preparation leaves no cache file.
class BatchWriter {
 public:
  explicit BatchWriter(fs::path final_path) : final_(std::move(final_path)) {
    tmp_ = final_;
    tmp_ += ".tmp." + std::to_string(::getpid());
  }
  ~BatchWriter() {
    close();
    std::error_code ec;
    if (!committed_) fs::remove(tmp_, ec);
  }
  void write(const std::shared_ptr<arrow::RecordBatch>& b) {
    if (!writer_) open(b->schema());
    check_ok(writer_->WriteRecordBatch(*b), tmp_.string());
    // Write back now, while the next batch is read: the fsync at the end has little left.
    check_ok(buffered_->Flush(), tmp_.string());
    (void)::sync_file_range(out_->file_descriptor(), 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  void write_table(const std::shared_ptr<arrow::Table>& t) {
    arrow::TableBatchReader reader(*t);
    std::shared_ptr<arrow::RecordBatch> b;
    while (true) {
      check_ok(reader.ReadNext(&b), tmp_.string());
      if (!b) break;
      write(b);
    }
    if (t->num_rows() == 0 && !writer_) open(t->schema());
  }
  /// Forgets everything written (a second pass starts again).
  void reset() {
    close();
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
  /// Closes, fsyncs and renames the stream onto the final path; `schema` is written when no
  /// batch was.
  void commit(const std::shared_ptr<arrow::Schema>& schema) {
    if (!writer_) open(schema);
    check_ok(writer_->Close(), tmp_.string());
    check_ok(buffered_->Close(), tmp_.string());  // closes out_ too
    writer_.reset();
    fsync_path(tmp_);
    fs::rename(tmp_, final_);
    fsync_path(final_.parent_path());
    committed_ = true;
  }

 private:
  void open(const std::shared_ptr<arrow::Schema>& schema) {
    out_ = unwrap(arrow::io::FileOutputStream::Open(tmp_.string()), tmp_.string());
    buffered_ =
        unwrap(arrow::io::BufferedOutputStream::Create(1 << 20, arrow::default_memory_pool(), out_), tmp_.string());
    writer_ = unwrap(arrow::ipc::MakeStreamWriter(buffered_, schema), tmp_.string());
  }
  void close() {
    if (writer_) (void)writer_->Close();
    if (buffered_ && !buffered_->closed()) (void)buffered_->Close();
    writer_.reset();
    buffered_.reset();
    out_.reset();
  }
  fs::path final_, tmp_;
  std::shared_ptr<arrow::io::FileOutputStream> out_;
  std::shared_ptr<arrow::io::BufferedOutputStream> buffered_;
  std::shared_ptr<arrow::ipc::RecordBatchWriter> writer_;
  bool committed_ = false;
};

/// The first byte of `file` that is not whitespace (after a UTF-8 byte order mark), or 0.
char first_significant_byte(const fs::path& file) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  AFINAR_CHECK_FORMAT(f != nullptr, file.string(), ": cannot open the file");
  char buf[4096];
  bool start = true;
  while (size_t n = std::fread(buf, 1, sizeof buf, f.get())) {
    size_t i = 0;
    if (start && n >= 3 && std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) i = 3;
    start = false;
    for (; i < n; ++i)
      if (!std::strchr(" \t\r\n", buf[i])) return buf[i];
  }
  return 0;
}

void for_each_line_block_impl(std::FILE* f, const fs::path& file, size_t block_bytes,
                              const std::function<void(std::string_view, size_t)>& fn) {
  std::string buf(std::max<size_t>(block_bytes, 1), '\0');
  size_t have = 0, line = 1;
  bool eof = false;
  while (true) {
    if (!eof && have < buf.size()) {
      have += std::fread(buf.data() + have, 1, buf.size() - have, f);
      AFINAR_CHECK_FORMAT(!std::ferror(f), file.string(), ": read error");
      eof = have < buf.size();
    }
    if (have == 0) return;
    size_t cut = have;
    if (!eof) {
      const void* nl = ::memrchr(buf.data(), '\n', have);
      if (!nl) {  // a line longer than the block: read more of it
        buf.resize(buf.size() * 2);
        continue;
      }
      cut = size_t(static_cast<const char*>(nl) - buf.data()) + 1;
    }
    const std::string_view block(buf.data(), cut);
    fn(block, line);
    line += size_t(std::count(block.begin(), block.end(), '\n'));
    std::memmove(buf.data(), buf.data() + cut, have - cut);
    have -= cut;
    if (eof && have == 0) return;
  }
}

/// JSON Lines, block by block. One pass writes the blocks while they all have the first block's
/// schema (the common case); when a later block brings a new column, a wider type or a type for
/// an all-null column, the schema of the file is the blocks' unified schema and a second pass
/// writes every block conformed to it.
void stream_json(const fs::path& file, const PrepareOptions& o, BatchWriter& w) {
  // A top-level array is one JSON document: read whole, as HF's json builder reads it.
  if (first_significant_byte(file) == '[') {
    auto t = read_json(file);
    w.write_table(t);
    return w.commit(t->schema());
  }
  std::shared_ptr<arrow::Schema> first, unified;
  bool uniform = true;
  auto each_block = [&](const std::function<void(const std::shared_ptr<arrow::Table>&)>& on_table) {
    for_each_line_block(file, o.block_bytes, [&](std::string_view block, size_t line) {
      if (line == 1 && block.substr(0, 3) == "\xEF\xBB\xBF") block.remove_prefix(3);  // byte order mark
      auto t = parse_json_lines(block, file.string(), line);
      if (t->num_columns() > 0 || t->num_rows() > 0) on_table(t);  // a block of blank lines has no rows
    });
  };
  each_block([&](const std::shared_ptr<arrow::Table>& t) {
    if (!first) first = t->schema();
    try {
      unified = unified ? unify_schemas(*unified, *t->schema()) : t->schema();
    } catch (const TypeConflict& c) {
      check_json_line_types(file, o.block_bytes);  // throws at the line, as one parse of the file would
      throw FormatError(detail::concat(file.string(), ": ", c.what()));
    }
    if (uniform && t->schema()->Equals(*first))
      w.write_table(t);
    else
      uniform = false;
  });
  if (!unified) return w.commit(arrow::schema({}));  // no rows at all
  if (!uniform) {
    w.reset();
    each_block([&](const std::shared_ptr<arrow::Table>& t) { w.write_table(conform_table(*t, unified)); });
  }
  w.commit(unified);
}

/// The type after `t` in the order Arrow's CSV inference tries them (null, int64, bool, double,
/// date32, timestamp[s], timestamp[ns], string, binary).
std::shared_ptr<arrow::DataType> next_csv_type(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::NA:
      return arrow::int64();
    case arrow::Type::INT64:
      return arrow::boolean();
    case arrow::Type::BOOL:
      return arrow::float64();
    case arrow::Type::DOUBLE:
      return arrow::date32();
    case arrow::Type::DATE32:
      return arrow::timestamp(arrow::TimeUnit::SECOND);
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(t).unit() == arrow::TimeUnit::SECOND
                 ? arrow::timestamp(arrow::TimeUnit::NANO)
                 : arrow::utf8();
    case arrow::Type::STRING:
      return arrow::binary();
    default:
      return arrow::utf8();
  }
}

/// CSV through Arrow's streaming reader, which fixes each column's type on the first block. A
/// later block that does not convert moves that column to the next type of the inference order
/// and the file is read again: the types are those one inference over the whole file gives (the
/// first type of the order that every row converts to), as read_csv's.
void stream_csv(const fs::path& file, char delimiter, const PrepareOptions& o, BatchWriter& w) {
  static const std::regex conversion_re(R"(In CSV column #(\d+): .*CSV conversion error)");
  std::unordered_map<std::string, std::shared_ptr<arrow::DataType>> types;
  std::vector<std::shared_ptr<arrow::Field>> fields;  // as the first, unforced read inferred them
  // The column a conversion error names moves to its next type; false when it names none.
  auto promote = [&](const arrow::Status& st) {
    std::smatch m;
    const std::string msg = st.message();
    if (!std::regex_search(msg, m, conversion_re)) return false;
    const size_t i = std::stoul(m[1].str());
    if (i >= fields.size()) return false;
    const auto& name = fields[i]->name();
    const auto current = types.count(name) ? types[name] : fields[i]->type();
    if (current->id() == arrow::Type::BINARY) return false;
    types[name] = next_csv_type(*current);
    return true;
  };
  while (true) {
    auto input = unwrap(arrow::io::ReadableFile::Open(file.string()), file.string());
    auto read = arrow::csv::ReadOptions::Defaults();
    read.use_threads = false;  // row numbers in errors
    read.block_size = int32_t(std::min<size_t>(o.block_bytes, size_t{1} << 30));
    auto parse = arrow::csv::ParseOptions::Defaults();
    parse.delimiter = delimiter;
    parse.newlines_in_values = true;
    auto convert = arrow::csv::ConvertOptions::Defaults();
    convert.column_types = types;
    auto made = arrow::csv::StreamingReader::Make(arrow::io::default_io_context(), input, read, parse, convert);
    if (!made.ok()) {
      if (promote(made.status())) continue;
      throw FormatError(csv_message(file, made.status()));
    }
    auto reader = *made;
    if (fields.empty()) fields = reader->schema()->fields();
    bool retry = false;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      const auto st = reader->ReadNext(&b);
      if (!st.ok() && promote(st)) {
        retry = true;
        break;
      }
      if (!st.ok()) throw FormatError(csv_message(file, st));
      if (!b) break;
      w.write(b);
    }
    if (!retry) return w.commit(reader->schema());
    w.reset();
  }
}

/// One row per line, lines ended by "\n", "\r\n" or "\r" (universal newlines, as read_text).
void stream_text(const fs::path& file, const PrepareOptions& o, BatchWriter& w) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  AFINAR_CHECK_FORMAT(f != nullptr, file.string(), ": cannot open the file");
  const auto schema = arrow::schema({arrow::field("text", arrow::utf8())});
  std::string pending, chunk(std::max<size_t>(o.block_bytes, 1), '\0');
  bool eof = false;
  while (!eof) {
    const size_t n = std::fread(chunk.data(), 1, chunk.size(), f.get());
    AFINAR_CHECK_FORMAT(!std::ferror(f.get()), file.string(), ": read error");
    eof = n < chunk.size();
    pending.append(chunk.data(), n);
    arrow::StringBuilder b;
    size_t start = 0;
    while (start < pending.size()) {
      const size_t end = pending.find_first_of("\r\n", start);
      // Without its line end (or with a '\r' that a '\n' may follow) a line waits for more text.
      if (!eof && (end == std::string::npos || (pending[end] == '\r' && end + 1 == pending.size()))) break;
      const size_t stop = end == std::string::npos ? pending.size() : end;
      check_ok(b.Append(pending.data() + start, int32_t(stop - start)), file.string());
      start = stop + (stop + 1 < pending.size() && pending[stop] == '\r' && pending[stop + 1] == '\n' ? 2 : 1);
    }
    pending.erase(0, std::min(start, pending.size()));
    if (b.length() == 0) continue;
    const auto lines = unwrap(b.Finish(), file.string());
    w.write(arrow::RecordBatch::Make(schema, lines->length(), {lines}));
  }
  w.commit(schema);
}

/// Parquet row groups as record batches, with the file's schema (and its "huggingface" metadata).
void stream_parquet(const fs::path& file, BatchWriter& w) {
  auto input = unwrap(arrow::io::ReadableFile::Open(file.string()), file.string());
  auto reader =
      unwrap(parquet::arrow::OpenFile(input, arrow::default_memory_pool()), file.string() + ": not a Parquet file");
  std::shared_ptr<arrow::Schema> schema;
  check_ok(reader->GetSchema(&schema), file.string() + ": reading Parquet");
  auto batches = unwrap(reader->GetRecordBatchReader(), file.string() + ": reading Parquet");
  while (true) {
    std::shared_ptr<arrow::RecordBatch> b;
    check_ok(batches->ReadNext(&b), file.string() + ": reading Parquet");
    if (!b) break;
    w.write(arrow::RecordBatch::Make(schema, b->num_rows(), b->columns()));
  }
  w.commit(schema);
}

}  // namespace

void for_each_line_block(const fs::path& file, size_t block_bytes,
                         const std::function<void(std::string_view block, size_t first_line)>& fn) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  AFINAR_CHECK_FORMAT(f != nullptr, file.string(), ": cannot open the file");
  for_each_line_block_impl(f.get(), file, block_bytes, fn);
}

std::shared_ptr<arrow::Table> prepare_file(const std::string& builder, const fs::path& file, const PrepareOptions& o) {
  if (builder == "arrow") return read_arrow_ipc(file);  // memory-mapped in place
  if (builder == "conll") return read_conll(file);
  AFINAR_CHECK(builder == "json" || builder == "csv" || builder == "tsv" || builder == "text" || builder == "parquet",
               "unknown builder '", builder, "'; afinar has json, csv, tsv, parquet, arrow, text, conll");
  std::error_code ec;
  AFINAR_CHECK_FORMAT(fs::is_regular_file(file, ec), file.string(), ": no such file");
  const std::string key = hash_parts({files_fingerprint({file}), "prepare", kPrepareVersion, builder});
  const fs::path dir = (o.cache_dir.empty() ? datasets_cache_dir() : o.cache_dir) / builder;
  const fs::path cached = dir / (builder + "-" + key + ".arrow");
  if (fs::is_regular_file(cached, ec)) return read_arrow_ipc(cached);
  fs::create_directories(dir);
  {
    BatchWriter w(cached);
    if (builder == "json")
      stream_json(file, o, w);
    else if (builder == "csv" || builder == "tsv")
      stream_csv(file, builder == "tsv" ? '\t' : ',', o, w);
    else if (builder == "text")
      stream_text(file, o, w);
    else
      stream_parquet(file, w);
  }
  return read_arrow_ipc(cached);
}

}  // namespace afinar::data
