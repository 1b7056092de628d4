/// Arrow columns for batch functions (Dataset::map): list<int32> columns built straight into
/// Arrow buffers, and typed reads of one column of a record batch with Dataset's error messages.
///
///   afinar::Int32ListBuilder ids(encodings.size());
///   for (const auto& e : encodings) ids.append(e.ids);
///   std::shared_ptr<arrow::Array> col = ids.finish();     // list<int32>, one row per append
///
///   // Rows in messages count from `first_row`, the batch's position in the dataset.
///   std::vector<std::string_view> texts = afinar::batch_strings(*batch, "text", first_row);
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace arrow {
class Array;
class Buffer;
class ChunkedArray;
class RecordBatch;
}  // namespace arrow

namespace afinar {

/// Rows of integers → one list<int32> array; offsets and values are moved into Arrow buffers by
/// finish(), never copied again. A batch of more than 2^31 - 1 values → InvalidArgument.
class Int32ListBuilder {
 public:
  explicit Int32ListBuilder(size_t rows_hint = 0);
  void append(std::span<const int32_t> row);
  /// An int8 row (tokenizers' attention and special-tokens masks), widened.
  void append(std::span<const int8_t> row) { append_converted(row); }
  /// A row of another integer type (attention masks are int8), converted value by value.
  template <typename Range>
  void append_converted(const Range& row) {
    for (auto v : row) values_.push_back(static_cast<int32_t>(v));
    close_row();
  }
  size_t size() const { return offsets_.size() - 1; }
  /// The list<int32> array; the builder is empty afterwards.
  std::shared_ptr<arrow::Array> finish();

 private:
  void close_row();
  std::vector<int32_t> offsets_{0};
  std::vector<int32_t> values_;
};

/// Column `name` of `batch` as string views into its buffers (valid while the batch lives).
/// InvalidArgument as Dataset::column_strings: a missing column names the columns found, a
/// column of another type names its type, a null names its row (counted from `first_row`).
std::vector<std::string_view> batch_strings(const arrow::RecordBatch& batch, const std::string& name,
                                            int64_t first_row);
/// Column `name` of `batch` as int64 (integer or bool columns), errors as Dataset::column_int64.
std::vector<int64_t> batch_int64(const arrow::RecordBatch& batch, const std::string& name, int64_t first_row);

/// The same for one array (a chunk of a column); `name` is the column's name for messages.
void append_strings(const arrow::Array& array, const std::string& name, int64_t first_row,
                    std::vector<std::string_view>& out);
void append_int64(const arrow::Array& array, const std::string& name, int64_t first_row, std::vector<int64_t>& out);

/// Drops the pages of a memory-mapped array from this process after a one-time read (see
/// Dataset::iter); the data stays valid. Arrays in memory are left as they are.
void release_pages(const arrow::Array& array);
/// Bounded RSS for a column sampled row by row from memory-mapped files (training). On a touch
/// the kernel maps a whole page-cache folio — hundreds of KB, or a 2 MB huge page — so rows read
/// at random over a large file would keep growing the process's RSS towards the file's size.
/// This marks the maps as read at random (MADV_RANDOM: no megabytes of read-ahead around each
/// row when the file is not cached) and, every `every` reads, drops all their pages from the
/// process (MADV_DONTNEED). Dropped pages stay in the page cache and stay valid — a span taken
/// before reads them again — so trimming is safe at any time. A column in memory: no-op.
///
///   RandomAccessPages pages(*column, 32);
///   pages.touch();   // once per row read
class RandomAccessPages {
 public:
  explicit RandomAccessPages(const arrow::ChunkedArray& column, uint64_t every = 32);
  bool mapped() const { return !regions_.empty(); }
  void touch() const;

 private:
  std::vector<std::shared_ptr<arrow::Buffer>> regions_;
  uint64_t every_;
  mutable std::atomic<uint64_t> reads_{0};
};

}  // namespace afinar
