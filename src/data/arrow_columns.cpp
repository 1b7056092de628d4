// list<int32> columns built into Arrow buffers, and typed reads of batch columns with the row of
// the dataset in every message (Dataset::column_strings / column_int64 read through the same).
#include "afinar/data/arrow_columns.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <sys/mman.h>

#include <algorithm>
#include <limits>

#include "afinar/core/check.h"
#include "pyrepr.h"
#include "readers.h"

namespace afinar {
namespace {

[[noreturn]] void wrong_type(const std::string& name, const arrow::DataType& got, const char* expected) {
  throw InvalidArgument(detail::concat("column '", name, "' has type ", got.ToString(), ", expected ", expected));
}

void check_no_nulls(const arrow::Array& array, const std::string& name, int64_t first_row) {
  if (array.null_count() == 0) return;
  for (int64_t i = 0; i < array.length(); ++i)
    AFINAR_CHECK(!array.IsNull(i), "column '", name, "' is null at row ", first_row + i,
                 "; HINT: filter out rows with missing values first");
}

const arrow::Array& batch_column(const arrow::RecordBatch& batch, const std::string& name) {
  auto col = batch.GetColumnByName(name);
  AFINAR_CHECK(col != nullptr, "column '", name,
               "' not found in the batch; columns: ", data::python_list(batch.schema()->field_names()));
  return *col;
}

}  // namespace

Int32ListBuilder::Int32ListBuilder(size_t rows_hint) {
  offsets_.reserve(rows_hint + 1);
}

void Int32ListBuilder::append(std::span<const int32_t> row) {
  values_.insert(values_.end(), row.begin(), row.end());
  close_row();
}

void Int32ListBuilder::close_row() {
  AFINAR_CHECK(values_.size() <= size_t(std::numeric_limits<int32_t>::max()),
               "Int32ListBuilder: more than 2^31 - 1 values in one batch; HINT: use a smaller batch_size");
  offsets_.push_back(static_cast<int32_t>(values_.size()));
}

std::shared_ptr<arrow::Array> Int32ListBuilder::finish() {
  const auto rows = static_cast<int64_t>(offsets_.size() - 1);
  const auto n = static_cast<int64_t>(values_.size());
  auto values = std::make_shared<arrow::Int32Array>(n, arrow::Buffer::FromVector(std::move(values_)));
  auto out = std::make_shared<arrow::ListArray>(arrow::list(arrow::int32()), rows,
                                                arrow::Buffer::FromVector(std::move(offsets_)), values);
  offsets_ = {0};
  values_.clear();
  return out;
}

void append_strings(const arrow::Array& array, const std::string& name, int64_t first_row,
                    std::vector<std::string_view>& out) {
  const auto id = array.type_id();
  if (id != arrow::Type::STRING && id != arrow::Type::LARGE_STRING && id != arrow::Type::STRING_VIEW)
    wrong_type(name, *array.type(), "string");
  check_no_nulls(array, name, first_row);
  out.reserve(out.size() + size_t(array.length()));
  for (int64_t i = 0; i < array.length(); ++i) {
    if (id == arrow::Type::STRING)
      out.push_back(static_cast<const arrow::StringArray&>(array).GetView(i));
    else if (id == arrow::Type::LARGE_STRING)
      out.push_back(static_cast<const arrow::LargeStringArray&>(array).GetView(i));
    else
      out.push_back(static_cast<const arrow::StringViewArray&>(array).GetView(i));
  }
}

void append_int64(const arrow::Array& array, const std::string& name, int64_t first_row, std::vector<int64_t>& out) {
  if (!arrow::is_integer(array.type_id()) && array.type_id() != arrow::Type::BOOL)
    wrong_type(name, *array.type(), "an integer or bool type");
  check_no_nulls(array, name, first_row);
  if (array.type_id() == arrow::Type::INT64) {
    const auto& a = static_cast<const arrow::Int64Array&>(array);
    out.insert(out.end(), a.raw_values(), a.raw_values() + a.length());
    return;
  }
  data::init_compute();
  auto cast = data::unwrap(arrow::compute::Cast(array, arrow::int64()), "column '" + name + "' as int64");
  const auto& a = static_cast<const arrow::Int64Array&>(*cast);
  out.insert(out.end(), a.raw_values(), a.raw_values() + a.length());
}

std::vector<std::string_view> batch_strings(const arrow::RecordBatch& batch, const std::string& name,
                                            int64_t first_row) {
  std::vector<std::string_view> out;
  append_strings(batch_column(batch, name), name, first_row, out);
  return out;
}

std::vector<int64_t> batch_int64(const arrow::RecordBatch& batch, const std::string& name, int64_t first_row) {
  std::vector<int64_t> out;
  append_int64(batch_column(batch, name), name, first_row, out);
  return out;
}

void release_pages(const arrow::Array& array) {
  data::release_pages(array);
}

RandomAccessPages::RandomAccessPages(const arrow::ChunkedArray& column, uint64_t every)
    : regions_(data::mapped_regions(column)), every_(std::max<uint64_t>(every, 1)) {
  for (const auto& r : regions_) data::advise_region(*r, MADV_RANDOM);
}

void RandomAccessPages::touch() const {
  if (regions_.empty() || reads_.fetch_add(1, std::memory_order_relaxed) % every_ != every_ - 1) return;
  for (const auto& r : regions_) data::advise_region(*r, MADV_DONTNEED);
}

}  // namespace afinar
