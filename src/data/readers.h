// File readers behind load_file / load_dataset: one function per builder, each returning an
// Arrow table. Private to the data module so that dataset.h stays free of Arrow headers.
#pragma once
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/table.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/data/features.h"

namespace afinar::data {

namespace fs = std::filesystem;

/// JSON Lines (one object per line) or a JSON file holding one top-level array of objects.
/// Types are inferred as HF/pyarrow do: int → int64, float → double (int+float → double),
/// string, bool, list → list<T>, object → struct; a key missing on a line is null.
std::shared_ptr<arrow::Table> read_json(const fs::path& file);
/// The same from text in memory; `origin` names it in errors.
std::shared_ptr<arrow::Table> parse_json_text(std::string_view text, const std::string& origin);

/// JSON Lines text (a block of a file) → table, as parse_json_text; errors number the lines
/// from `first_line`.
std::shared_ptr<arrow::Table> parse_json_lines(std::string_view text, const std::string& origin, size_t first_line);
/// The line parser's type inference over the whole of `file`, block by block: throws its
/// FormatError (file:line, the key, both types) at the first line whose types conflict with the
/// lines before it — for blocks that parse alone but not together.
void check_json_line_types(const fs::path& file, size_t block_bytes);
/// `file` in blocks of about `block_bytes` (at least one line each) that end at a '\n' or at the
/// end of the file; `fn` gets each block and the 1-based number of its first line.
void for_each_line_block(const fs::path& file, size_t block_bytes,
                         const std::function<void(std::string_view block, size_t first_line)>& fn);

/// How load_file / load_dataset read a file (HF's builders' download_and_prepare): json, csv,
/// tsv, text and parquet files are converted batch by batch — never the whole file in memory —
/// into an Arrow IPC stream `<cache_dir>/<builder>/<builder>-<key>.arrow`, written atomically
/// (temp + fsync + rename), then memory-mapped. The key hashes the file's fingerprint (path,
/// size, mtime, a sample of its bytes), the builder and the conversion's version, so a second
/// call on the unchanged file reads the cache file. Arrow files are memory-mapped in place and
/// conll files read in memory. The table equals read_with_builder's (schema inference included).
struct PrepareOptions {
  fs::path cache_dir;                     ///< empty: datasets_cache_dir()
  size_t block_bytes = size_t{16} << 20;  ///< text read per batch
};
std::shared_ptr<arrow::Table> prepare_file(const std::string& builder, const fs::path& file,
                                           const PrepareOptions& options = {});

/// Arrow's CSV errors say "Row #N" for the 1-based row counting the header, which is the file's
/// line when no field spans lines; this says "file:N: malformed CSV: …" so that it reads like
/// the JSON errors.
std::string csv_message(const fs::path& file, const arrow::Status& s);
/// CSV (',' separator) or TSV ('\t'), header row first; types inferred by Arrow's CSV reader.
std::shared_ptr<arrow::Table> read_csv(const fs::path& file, char delimiter = ',');
std::shared_ptr<arrow::Table> read_parquet(const fs::path& file);
/// Arrow IPC, file or stream format (HF's save_to_disk writes the stream format).
std::shared_ptr<arrow::Table> read_arrow_ipc(const fs::path& file);
/// One row per line in a `text` column, as HF's "text" builder (universal newlines, no line ends).
std::shared_ptr<arrow::Table> read_text(const fs::path& file);

/// HF's conll2003 features: id, tokens, and pos_tags / chunk_tags / ner_tags as ClassLabel lists.
Features conll2003_features();
/// A CoNLL-2003 file built as HF's conll2003 script builds it (one row per sentence, ids "0"..;
/// -DOCSTART- lines skipped). FormatError names the file and line of a malformed line or a tag
/// outside conll2003's label lists.
std::shared_ptr<arrow::Table> read_conll(const fs::path& file);

/// The builder name for a file's extension ("json", "csv", "tsv", "parquet", "arrow", "text"),
/// or "" when afinar cannot read it.
std::string builder_for_extension(const fs::path& file);
/// Reads `file` with the named builder.
std::shared_ptr<arrow::Table> read_with_builder(const std::string& builder, const fs::path& file);

/// `table` with `features` as its schema (names, and the "huggingface" metadata); the features'
/// Arrow types must equal the columns' types.
std::shared_ptr<arrow::Table> with_features(const std::shared_ptr<arrow::Table>& table, const Features& features);

/// Registers Arrow's compute kernels (since Arrow 21 Take, Cast of nested types, ... live in
/// libarrow_compute and exist only after this call); idempotent and thread-safe.
void init_compute();

/// Asks the kernel to drop the batch's memory-mapped pages from this process (MADV_DONTNEED in
/// the maps of read_arrow_ipc's files, MADV_PAGEOUT on other read-only buffers), so that one pass
/// over a file larger than RAM does not keep it resident; the data stays valid and is read again
/// from the page cache or the file when touched.
void release_pages(const arrow::RecordBatch& batch);
void release_pages(const arrow::Array& array);
/// The memory maps (root buffers of the files read_arrow_ipc mapped) holding the column's
/// buffers; empty for a column in memory.
std::vector<std::shared_ptr<arrow::Buffer>> mapped_regions(const arrow::ChunkedArray& column);
/// madvise over a whole map (MADV_RANDOM, MADV_DONTNEED, …); one call, the map is not split.
void advise_region(const arrow::Buffer& region, int advice);

/// Unwraps an Arrow result, turning a failed status into a FormatError that names `what`.
template <typename T>
T unwrap(arrow::Result<T> r, const std::string& what) {
  if (!r.ok()) throw FormatError(what + ": " + r.status().ToString());
  return std::move(r).ValueUnsafe();
}
inline void check_ok(const arrow::Status& s, const std::string& what) {
  if (!s.ok()) throw FormatError(what + ": " + s.ToString());
}

}  // namespace afinar::data
