// Dataset / DatasetDict over Arrow tables, with HF datasets' reprs and typed column reads.
#include "afinar/data/dataset.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <mutex>
#include <sstream>

#include "afinar/data/arrow_columns.h"
#include "fingerprint.h"
#include "pyrepr.h"
#include "readers.h"

namespace afinar {
namespace {

using data::init_compute;
using data::python_list;

/// Prefixes every line of `text` (including an empty one) with `pad`, as re.sub("^", pad, re.M).
std::string indent_lines(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

Dataset::Dataset(std::shared_ptr<arrow::Table> table, std::string origin, std::string fingerprint)
    : table_(std::move(table)),
      origin_(std::move(origin)),
      fingerprint_(fingerprint.empty() ? data::random_fingerprint() : std::move(fingerprint)) {}

Features Dataset::features() const {
  if (!table_) return {};
  return Features::from_arrow_schema(*table_->schema());
}

int64_t Dataset::num_rows() const {
  return table_ ? table_->num_rows() : 0;
}

std::vector<std::string> Dataset::column_names() const {
  return table_ ? table_->ColumnNames() : std::vector<std::string>{};
}

bool Dataset::has_column(const std::string& name) const {
  return table_ && table_->schema()->GetFieldIndex(name) >= 0;
}

std::shared_ptr<arrow::ChunkedArray> Dataset::column(const std::string& name) const {
  AFINAR_CHECK(has_column(name), "column '", name, "' not found in ", origin_.empty() ? "the dataset" : origin_,
               "; columns: ", python_list(column_names()));
  return table_->GetColumnByName(name);
}

namespace {

[[noreturn]] void wrong_type(const std::string& name, const arrow::DataType& got, const char* expected) {
  throw InvalidArgument(detail::concat("column '", name, "' has type ", got.ToString(), ", expected ", expected));
}

void check_no_nulls(const std::string& name, const arrow::ChunkedArray& col) {
  if (col.null_count() == 0) return;
  int64_t row = 0;
  for (const auto& chunk : col.chunks()) {
    for (int64_t i = 0; i < chunk->length(); ++i, ++row)
      AFINAR_CHECK(!chunk->IsNull(i), "column '", name, "' is null at row ", row,
                   "; HINT: filter out rows with missing values first");
  }
}

bool is_int_or_bool(const arrow::DataType& t) {
  return arrow::is_integer(t.id()) || t.id() == arrow::Type::BOOL;
}

}  // namespace

std::vector<std::string> Dataset::column_strings(const std::string& name) const {
  auto col = column(name);
  const auto id = col->type()->id();
  if (id != arrow::Type::STRING && id != arrow::Type::LARGE_STRING && id != arrow::Type::STRING_VIEW)
    wrong_type(name, *col->type(), "string");
  check_no_nulls(name, *col);
  std::vector<std::string> out;
  out.reserve(size_t(col->length()));
  std::vector<std::string_view> views;
  int64_t row = 0;
  for (const auto& chunk : col->chunks()) {
    views.clear();
    append_strings(*chunk, name, row, views);
    out.insert(out.end(), views.begin(), views.end());
    row += chunk->length();
    data::release_pages(*chunk);  // copied: a memory-mapped column need not stay resident
  }
  return out;
}

std::vector<int64_t> Dataset::column_int64(const std::string& name) const {
  auto col = column(name);
  if (!is_int_or_bool(*col->type())) wrong_type(name, *col->type(), "an integer or bool type");
  check_no_nulls(name, *col);
  std::vector<int64_t> out;
  out.reserve(size_t(col->length()));
  int64_t row = 0;
  for (const auto& chunk : col->chunks()) {
    append_int64(*chunk, name, row, out);
    row += chunk->length();
    data::release_pages(*chunk);
  }
  return out;
}

std::vector<std::vector<int32_t>> Dataset::column_int_lists(const std::string& name) const {
  auto col = column(name);
  const auto& type = *col->type();
  const bool is_list = type.id() == arrow::Type::LIST || type.id() == arrow::Type::LARGE_LIST;
  if (!is_list || !arrow::is_integer(type.field(0)->type()->id())) wrong_type(name, type, "list<int>");
  check_no_nulls(name, *col);
  init_compute();
  // A safe cast: values outside int32 fail here rather than wrap.
  auto cast =
      data::unwrap(arrow::compute::Cast(col, arrow::list(arrow::int32())), "column '" + name + "' as list<int32>");
  std::vector<std::vector<int32_t>> out;
  out.reserve(size_t(col->length()));
  for (const auto& chunk : cast.chunked_array()->chunks()) {
    const auto& lists = static_cast<const arrow::ListArray&>(*chunk);
    const auto& values = static_cast<const arrow::Int32Array&>(*lists.values());
    for (int64_t i = 0; i < lists.length(); ++i) {
      // Null items inside a list read as 0; value_offset is relative to the values array.
      const int32_t* v = values.raw_values();
      out.emplace_back(v + lists.value_offset(i), v + lists.value_offset(i) + lists.value_length(i));
    }
  }
  return out;
}

Dataset Dataset::select(const std::vector<int64_t>& indices) const {
  const int64_t n = num_rows();
  for (int64_t i : indices) AFINAR_CHECK(i >= 0 && i < n, "select: index ", i, " out of range for ", n, " rows");
  AFINAR_CHECK(table_ || indices.empty(), "select on an empty Dataset");
  if (!table_) return *this;
  init_compute();
  arrow::Int64Builder b;
  data::check_ok(b.AppendValues(indices), "select");
  auto idx = data::unwrap(b.Finish(), "select");
  auto taken = data::unwrap(arrow::compute::Take(table_, idx), "select");
  return Dataset(taken.table(), origin_, data::hash_parts({fingerprint_, "select", data::bytes_of(indices)}));
}

Dataset Dataset::add_column_int_lists(const std::string& name, const std::vector<std::vector<int32_t>>& values) const {
  AFINAR_CHECK(!has_column(name), "column '", name,
               "' already exists in the dataset; columns: ", python_list(column_names()));
  AFINAR_CHECK(int64_t(values.size()) == num_rows(), "add_column '", name, "': got ", values.size(),
               " rows, the dataset has ", num_rows());
  arrow::ListBuilder lists(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
  auto& items = static_cast<arrow::Int32Builder&>(*lists.value_builder());
  for (const auto& row : values) {
    data::check_ok(lists.Append(), "add_column");
    data::check_ok(items.AppendValues(row.data(), int64_t(row.size())), "add_column");
  }
  auto array = data::unwrap(lists.Finish(), "add_column");
  auto field = arrow::field(name, arrow::list(arrow::int32()));
  if (!table_) return Dataset(arrow::Table::Make(arrow::schema({field}), {array}), origin_);
  auto chunked = std::make_shared<arrow::ChunkedArray>(array);
  auto table = data::unwrap(table_->AddColumn(table_->num_columns(), field, chunked), "add_column");
  return Dataset(table, origin_);  // random fingerprint: the values are not hashed
}

Dataset Dataset::remove_columns(const std::vector<std::string>& names) const {
  for (const auto& n : names) column(n);  // every name must exist, as HF checks
  auto table = table_;
  for (const auto& n : names) {
    int i = table->schema()->GetFieldIndex(n);
    if (i >= 0) table = data::unwrap(table->RemoveColumn(i), "remove_columns");
  }
  std::string key;
  for (const auto& n : names) key += n + '\0';
  return Dataset(table, origin_, data::hash_parts({fingerprint_, "remove_columns", key}));
}

std::string Dataset::repr(int indent) const {
  std::ostringstream os;
  os << "Dataset({\n    features: " << python_list(column_names()) << ",\n    num_rows: " << num_rows() << "\n})";
  std::string s = os.str();
  if (indent <= 0) return s;
  std::string pad(size_t(indent), ' ');
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

void DatasetDict::set(const std::string& split, Dataset ds) {
  for (auto& [name, d] : splits_) {
    if (name == split) {
      d = std::move(ds);
      return;
    }
  }
  splits_.emplace_back(split, std::move(ds));
}

bool DatasetDict::contains(const std::string& split) const {
  for (const auto& [name, d] : splits_)
    if (name == split) return true;
  return false;
}

const Dataset& DatasetDict::operator[](const std::string& split) const {
  for (const auto& [name, d] : splits_)
    if (name == split) return d;
  throw InvalidArgument(detail::concat("unknown split '", split, "'; splits: ", python_list(splits())));
}

std::vector<std::string> DatasetDict::splits() const {
  std::vector<std::string> out;
  for (const auto& [name, d] : splits_) out.push_back(name);
  return out;
}

std::string DatasetDict::repr() const {
  // HF: "\n".join(f"{k}: {v}") with every line indented by 4 spaces.
  std::string body;
  for (size_t i = 0; i < splits_.size(); ++i)
    body += (i ? "\n" : "") + splits_[i].first + ": " + splits_[i].second.repr();
  return "DatasetDict({\n" + indent_lines(body, "    ") + "\n})";
}

std::ostream& operator<<(std::ostream& os, const Dataset& ds) {
  return os << ds.repr();
}
std::ostream& operator<<(std::ostream& os, const DatasetDict& dd) {
  return os << dd.repr();
}

}  // namespace afinar
