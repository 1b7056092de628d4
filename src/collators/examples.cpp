// Examples over Arrow columns: list<int32> columns viewed in place (one span per row), int64
// example columns too, float columns read into vectors.
#include "afinar/collators/examples.h"

#include <arrow/api.h>

#include <algorithm>
#include <stdexcept>

#include "afinar/core/check.h"
#include "afinar/data/arrow_columns.h"
#include "afinar/data/dataset.h"

namespace afinar {
namespace {

bool is_list(const arrow::DataType& t) {
  return t.id() == arrow::Type::LIST || t.id() == arrow::Type::LARGE_LIST;
}

/// The first row of `chunk` (counted from `first_row`) that is null or holds a null item, or -1.
int64_t first_null_row(const arrow::Array& chunk, const arrow::Array& values, int64_t first_row) {
  for (int64_t i = 0; i < chunk.length(); ++i) {
    if (chunk.IsNull(i)) return first_row + i;
    if (values.null_count() == 0) continue;
    int64_t b = 0, e = 0;
    if (chunk.type_id() == arrow::Type::LIST) {
      const auto& l = static_cast<const arrow::ListArray&>(chunk);
      b = l.value_offset(i), e = l.value_offset(i + 1);
    } else {
      const auto& l = static_cast<const arrow::LargeListArray&>(chunk);
      b = l.value_offset(i), e = l.value_offset(i + 1);
    }
    for (int64_t k = b; k < e; ++k)
      if (values.IsNull(k)) return first_row + i;
  }
  return -1;
}

/// The chunk holding row i: the last one whose first row is <= i (chunks in row order).
template <typename Chunk>
const Chunk& chunk_containing(const std::vector<Chunk>& chunks, size_t i) {
  if (chunks.size() == 1) return chunks.front();
  auto it =
      std::upper_bound(chunks.begin(), chunks.end(), i, [](size_t row, const Chunk& c) { return row < c.first_row; });
  return *(it - 1);
}

/// Keeps the chunks of the first n rows (the last one cut short).
template <typename Chunk>
void keep_first_rows(std::vector<Chunk>& chunks, size_t n) {
  while (!chunks.empty() && chunks.back().first_row >= n) chunks.pop_back();
  if (!chunks.empty()) chunks.back().rows = std::min(chunks.back().rows, n - chunks.back().first_row);
}

}  // namespace

SequenceColumn SequenceColumn::from_arrow(std::shared_ptr<arrow::ChunkedArray> column, const std::string& name) {
  AFINAR_CHECK(column != nullptr, "SequenceColumn: column '", name, "' is null");
  const auto& type = *column->type();
  AFINAR_CHECK(is_list(type) && arrow::is_integer(type.field(0)->type()->id()), "column '", name, "' has type ",
               type.ToString(), ", expected list<int>");
  if (type.field(0)->type()->id() != arrow::Type::INT32) {
    // Lists of another integer type (JSON gives int64): converted once, in memory, by a safe
    // cast (a value outside int32 fails, naming the column).
    auto table = arrow::Table::Make(arrow::schema({arrow::field(name, column->type())}), {column});
    return from_rows(Dataset(table).column_int_lists(name));
  }
  SequenceColumn c;
  c.data_ = std::move(column);
  size_t row = 0;
  for (const auto& chunk : c.data_->chunks()) {
    if (chunk->length() == 0) continue;
    const bool large = chunk->type_id() == arrow::Type::LARGE_LIST;
    const auto& values = large ? *static_cast<const arrow::LargeListArray&>(*chunk).values()
                               : *static_cast<const arrow::ListArray&>(*chunk).values();
    if (chunk->null_count() > 0 || values.null_count() > 0) {
      const int64_t bad = first_null_row(*chunk, values, static_cast<int64_t>(row));
      AFINAR_CHECK(bad < 0, "column '", name, "' is null or holds a null item at row ", bad,
                   "; HINT: filter out rows with missing values first");
    }
    Chunk k;
    k.values = values.data()->GetValues<int32_t>(1);  // the child's own offset applied
    if (large)
      k.offsets64 = static_cast<const arrow::LargeListArray&>(*chunk).raw_value_offsets();
    else
      k.offsets32 = static_cast<const arrow::ListArray&>(*chunk).raw_value_offsets();
    k.first_row = row;
    k.rows = static_cast<size_t>(chunk->length());
    row += k.rows;
    c.chunks_.push_back(k);
  }
  c.size_ = row;
  // Rows of a memory-mapped file are read in the sampler's order: see RandomAccessPages.
  auto pages = std::make_shared<const RandomAccessPages>(*c.data_);
  if (pages->mapped()) c.pages_ = std::move(pages);
  return c;
}

SequenceColumn SequenceColumn::from_rows(const std::vector<std::vector<int32_t>>& rows) {
  Int32ListBuilder b(rows.size());
  for (const auto& r : rows) b.append(r);
  return from_arrow(std::make_shared<arrow::ChunkedArray>(b.finish()), "rows");
}

const SequenceColumn::Chunk& SequenceColumn::chunk_of(size_t i) const {
  return chunk_containing(chunks_, i);
}

std::span<const int32_t> SequenceColumn::operator[](size_t i) const {
  if (pages_) pages_->touch();
  const Chunk& c = chunk_of(i);
  const size_t j = i - c.first_row;
  const int64_t b = c.offsets32 ? c.offsets32[j] : c.offsets64[j];
  const int64_t e = c.offsets32 ? c.offsets32[j + 1] : c.offsets64[j + 1];
  return {c.values + b, static_cast<size_t>(e - b)};
}

std::span<const int32_t> SequenceColumn::at(size_t i) const {
  if (i >= size_)
    throw std::out_of_range(detail::concat("SequenceColumn: row ", i, " out of range for ", size_, " rows"));
  return (*this)[i];
}

std::vector<int32_t> SequenceColumn::row(size_t i) const {
  auto s = at(i);
  return {s.begin(), s.end()};
}

SequenceColumn SequenceColumn::head(size_t n) const {
  if (n >= size_) return *this;
  SequenceColumn c = *this;
  c.data_ = data_->Slice(0, static_cast<int64_t>(n));
  c.size_ = n;
  keep_first_rows(c.chunks_, n);
  return c;
}

IntColumn::IntColumn(std::vector<int64_t> values) {
  auto owned = std::make_shared<const std::vector<int64_t>>(std::move(values));
  size_ = owned->size();
  if (size_ > 0) chunks_.push_back({owned->data(), 0, size_});
  owner_ = std::move(owned);
}

IntColumn IntColumn::from_dataset(const Dataset& ds, const std::string& name) {
  auto column = ds.column(name);
  if (column->type()->id() != arrow::Type::INT64 || column->null_count() > 0) return IntColumn(ds.column_int64(name));
  IntColumn c;
  for (const auto& chunk : column->chunks()) {
    if (chunk->length() == 0) continue;
    const auto rows = static_cast<size_t>(chunk->length());
    c.chunks_.push_back({static_cast<const arrow::Int64Array&>(*chunk).raw_values(), c.size_, rows});
    c.size_ += rows;
  }
  // Labels of a memory-mapped file are read in the sampler's order: see RandomAccessPages.
  auto pages = std::make_shared<const RandomAccessPages>(*column);
  if (pages->mapped()) c.pages_ = std::move(pages);
  c.owner_ = std::move(column);
  return c;
}

const IntColumn::Chunk& IntColumn::chunk_of(size_t i) const {
  return chunk_containing(chunks_, i);
}

int64_t IntColumn::operator[](size_t i) const {
  if (pages_) pages_->touch();
  const Chunk& c = chunk_of(i);
  return c.values[i - c.first_row];
}

int64_t IntColumn::at(size_t i) const {
  if (i >= size_) throw std::out_of_range(detail::concat("IntColumn: row ", i, " out of range for ", size_, " rows"));
  return (*this)[i];
}

std::vector<int64_t> IntColumn::to_vector() const {
  std::vector<int64_t> out;
  out.reserve(size_);
  for (const auto& c : chunks_) out.insert(out.end(), c.values, c.values + c.rows);
  return out;
}

IntColumn IntColumn::head(size_t n) const {
  if (n >= size_) return *this;
  IntColumn c = *this;
  c.size_ = n;
  keep_first_rows(c.chunks_, n);
  return c;
}

size_t Examples::size() const {
  if (!sequences.empty()) return sequences.begin()->second.size();
  if (!labels.empty()) return labels.begin()->second.size();
  if (!float_labels.empty()) return float_labels.begin()->second.size();
  return 0;
}

size_t Examples::length(size_t i) const {
  auto it = sequences.find("input_ids");
  AFINAR_CHECK(it != sequences.end(), "Examples: no input_ids column");
  return it->second.at(i).size();
}

Examples Examples::from_dataset(const Dataset& ds) {
  std::vector<std::string> columns;
  for (const auto& name : ds.column_names()) {
    const auto& t = *ds.column(name)->type();
    if (is_list(t) || arrow::is_integer(t.id()) || t.id() == arrow::Type::BOOL || arrow::is_floating(t.id()))
      columns.push_back(name);
  }
  return from_dataset(ds, columns);
}

Examples Examples::from_dataset(const Dataset& ds, const std::vector<std::string>& columns) {
  Examples f;
  // Example columns first: they are read whole, before the list columns' maps are marked as read
  // at random (no read-ahead).
  for (const auto& name : columns) {
    if (!ds.has_column(name)) continue;
    auto col = ds.column(name);
    const auto& type = *col->type();
    if (is_list(type)) {
      continue;
    } else if (arrow::is_floating(type.id())) {
      AFINAR_CHECK(type.id() == arrow::Type::DOUBLE, ds.origin(), ": column '", name, "' has type ", type.ToString(),
                   "; float labels must be float64");
      std::vector<float> v;
      v.reserve(static_cast<size_t>(ds.num_rows()));
      for (const auto& c : col->chunks()) {
        const auto& d = static_cast<const arrow::DoubleArray&>(*c);
        for (int64_t i = 0; i < d.length(); ++i) v.push_back(static_cast<float>(d.Value(i)));
      }
      f.float_labels[name] = std::move(v);
    } else {
      f.labels[name] = IntColumn::from_dataset(ds, name);
    }
  }
  for (const auto& name : columns)
    if (ds.has_column(name) && is_list(*ds.column(name)->type()))
      f.sequences[name] = SequenceColumn::from_arrow(ds.column(name), name);
  return f;
}

Examples Examples::from_rows(const std::map<std::string, std::vector<std::vector<int32_t>>>& sequences,
                             std::map<std::string, std::vector<int64_t>> labels,
                             std::map<std::string, std::vector<float>> float_labels) {
  Examples f;
  for (const auto& [name, rows] : sequences) f.sequences[name] = SequenceColumn::from_rows(rows);
  for (auto& [name, v] : labels) f.labels[name] = std::move(v);
  f.float_labels = std::move(float_labels);
  return f;
}

Examples Examples::head(size_t n) const {
  Examples f;
  for (const auto& [name, col] : sequences) f.sequences[name] = col.head(n);
  for (const auto& [name, v] : labels) f.labels[name] = v.head(n);
  for (const auto& [name, v] : float_labels) f.float_labels[name].assign(v.begin(), v.begin() + std::min(n, v.size()));
  return f;
}

}  // namespace afinar
