// Dataset transforms with HF's semantics: shuffle, sort, train_test_split, renames, casts,
// class_encode_column, flatten, unique, filter, concatenate_datasets.
// Mirrors datasets/arrow_dataset.py; every result carries its features in the schema metadata.
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "afinar/data/dataset.h"
#include "fingerprint.h"
#include "numpy_random.h"
#include "pyrepr.h"
#include "readers.h"

namespace afinar {

namespace data {

std::shared_ptr<arrow::Table> with_features(const std::shared_ptr<arrow::Table>& table, const Features& features) {
  AFINAR_CHECK(int(features.size()) == table->num_columns(), "features name ", features.size(),
               " columns, the table has ", table->num_columns());
  auto schema = features.arrow_schema();
  for (int i = 0; i < table->num_columns(); ++i)
    AFINAR_CHECK(schema->field(i)->type()->Equals(*table->column(i)->type()), "feature '", schema->field(i)->name(),
                 "' stores ", schema->field(i)->type()->ToString(), " but the column holds ",
                 table->column(i)->type()->ToString());
  return arrow::Table::Make(schema, table->columns(), table->num_rows());
}

}  // namespace data

namespace {

using data::hash_parts;
using data::python_list;
using data::unwrap;

std::string joined(const std::vector<std::string>& names) {
  std::string key;
  for (const auto& n : names) key += n + '\0';
  return key;
}

/// Flattens struct features into "parent.child" entries as Arrow's Table::Flatten names them.
void flatten_features(const std::string& prefix, const Feature& f, Features& out) {
  if (f.kind() == Feature::Kind::Struct) {
    for (const auto& [name, sub] : f.fields()) flatten_features(prefix + "." + name, sub, out);
  } else if (f.kind() == Feature::Kind::Translation) {
    auto langs = f.languages();
    std::sort(langs.begin(), langs.end());
    for (const auto& l : langs) out.set(prefix + "." + l, Feature::value("string"));
  } else {
    out.set(prefix, f);
  }
}

}  // namespace

Dataset Dataset::shuffle(uint64_t seed) const {
  Dataset out = select(data::numpy_permutation(seed, num_rows()));
  out.fingerprint_ = hash_parts({fingerprint_, "shuffle", std::to_string(seed)});
  return out;
}

Dataset Dataset::sort(const std::string& name, bool reverse) const {
  column(name);
  data::init_compute();
  arrow::compute::SortOptions opts({arrow::compute::SortKey(
      name, reverse ? arrow::compute::SortOrder::Descending : arrow::compute::SortOrder::Ascending,
      arrow::compute::NullPlacement::AtEnd)});
  auto idx = unwrap(arrow::compute::SortIndices(arrow::Datum(table_), opts), "sort by '" + name + "'");
  auto taken = unwrap(arrow::compute::Take(table_, idx), "sort");
  return Dataset(taken.table(), origin_, hash_parts({fingerprint_, "sort", name, reverse ? "desc" : "asc"}));
}

DatasetDict Dataset::train_test_split(double test_size, uint64_t seed) const {
  AFINAR_CHECK(test_size > 0.0 && test_size < 1.0, "train_test_split: test_size=", test_size,
               " should be a float in (0, 1) or an int row count");
  return train_test_split(int64_t(std::ceil(test_size * double(num_rows()))), seed);
}

DatasetDict Dataset::train_test_split(int64_t n_test, uint64_t seed) const {
  const int64_t n = num_rows();
  AFINAR_CHECK(n_test > 0 && n_test < n, "train_test_split: test_size=", n_test, " with ", n,
               " rows leaves an empty split; HINT: adjust test_size");
  auto perm = data::numpy_permutation(seed, n);
  std::vector<int64_t> test(perm.begin(), perm.begin() + n_test), train(perm.begin() + n_test, perm.end());
  const std::string key = std::to_string(n_test) + "/" + std::to_string(seed);
  Dataset tr = select(train), te = select(test);
  tr.fingerprint_ = hash_parts({fingerprint_, "train_test_split", key, "train"});
  te.fingerprint_ = hash_parts({fingerprint_, "train_test_split", key, "test"});
  DatasetDict dd;
  dd.set("train", std::move(tr));
  dd.set("test", std::move(te));
  return dd;
}

Dataset Dataset::rename_columns(const std::map<std::string, std::string>& mapping) const {
  Features f = features(), renamed;
  std::set<std::string> seen;
  for (const auto& [from, to] : mapping) {
    column(from);
    AFINAR_CHECK(!to.empty(), "rename_columns: the new name of '", from, "' is empty");
  }
  std::string key;
  for (const auto& [name, feat] : f.fields()) {
    auto it = mapping.find(name);
    const std::string& out = it == mapping.end() ? name : it->second;
    AFINAR_CHECK(seen.insert(out).second, "rename_columns: column '", out, "' would appear twice; columns: ",
                 python_list(column_names()));
    renamed.set(out, feat);
    key += name + '\0' + out + '\0';
  }
  return Dataset(data::with_features(table_, renamed), origin_, hash_parts({fingerprint_, "rename_columns", key}));
}

Dataset Dataset::rename_column(const std::string& from, const std::string& to) const {
  return rename_columns({{from, to}});
}

Dataset Dataset::select_columns(const std::vector<std::string>& names) const {
  std::vector<int> idx;
  Features f = features(), out;
  for (const auto& n : names) {
    column(n);
    idx.push_back(table_->schema()->GetFieldIndex(n));
    out.set(n, f[n]);
  }
  auto t = unwrap(table_->SelectColumns(idx), "select_columns");
  return Dataset(data::with_features(t, out), origin_, hash_parts({fingerprint_, "select_columns", joined(names)}));
}

namespace {

/// HF's ClassLabel.cast_storage: strings go through str2int; integers must be < num_classes.
std::shared_ptr<arrow::ChunkedArray> to_class_label(const std::string& name, const std::shared_ptr<arrow::ChunkedArray>& col,
                                                    const Feature& label) {
  const auto id = col->type()->id();
  if (id == arrow::Type::STRING || id == arrow::Type::LARGE_STRING) {
    arrow::Int64Builder b;
    for (const auto& chunk : col->chunks()) {
      auto strings = unwrap(arrow::compute::Cast(*chunk, arrow::utf8()), name);
      const auto& s = static_cast<const arrow::StringArray&>(*strings);
      for (int64_t i = 0; i < s.length(); ++i)
        data::check_ok(s.IsNull(i) ? b.AppendNull() : b.Append(label.str2int(std::string(s.GetView(i)))), name);
    }
    return std::make_shared<arrow::ChunkedArray>(unwrap(b.Finish(), name));
  }
  auto ints = unwrap(arrow::compute::Cast(col, arrow::int64()), "cast_column '" + name + "' to ClassLabel");
  auto mm = unwrap(arrow::compute::MinMax(ints), name);
  const auto& st = static_cast<const arrow::StructScalar&>(*mm.scalar());
  if (st.value[1]->is_valid) {
    const int64_t hi = static_cast<const arrow::Int64Scalar&>(*st.value[1]).value;
    const int64_t lo = static_cast<const arrow::Int64Scalar&>(*st.value[0]).value;
    AFINAR_CHECK(hi < label.num_classes(), "Class label ", hi, " greater than configured num_classes ",
                 label.num_classes(), " in column '", name, "'");
    AFINAR_CHECK(lo >= -1, "Class label ", lo, " less than -1 in column '", name, "'");
  }
  return ints.chunked_array();
}

}  // namespace

Dataset Dataset::cast_column(const std::string& name, const Feature& feature) const {
  auto col = column(name);
  data::init_compute();
  std::shared_ptr<arrow::ChunkedArray> cast;
  if (feature.kind() == Feature::Kind::ClassLabel) {
    cast = to_class_label(name, col, feature);
  } else {
    cast = unwrap(arrow::compute::Cast(col, feature.arrow_type()),
                  "cast_column '" + name + "' from " + col->type()->ToString() + " to " + feature.repr())
               .chunked_array();
  }
  Features f = features();
  f.set(name, feature);
  const int i = table_->schema()->GetFieldIndex(name);
  auto t = unwrap(table_->SetColumn(i, arrow::field(name, cast->type()), cast), "cast_column");
  return Dataset(data::with_features(t, f), origin_,
                 hash_parts({fingerprint_, "cast_column", name, feature.to_json().dump()}));
}

Dataset Dataset::cast(const Features& features) const {
  std::vector<std::string> want = features.names(), have = column_names();
  std::vector<std::string> a = want, b = have;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  AFINAR_CHECK(a == b, "cast: the features name ", python_list(want), " but the columns are ", python_list(have));
  Dataset out = *this;
  for (const auto& [name, f] : features.fields()) out = out.cast_column(name, f);
  return out;
}

Dataset Dataset::class_encode_column(const std::string& name) const {
  auto col = column(name);
  const auto id = col->type()->id();
  const bool is_str = id == arrow::Type::STRING || id == arrow::Type::LARGE_STRING;
  AFINAR_CHECK(is_str || arrow::is_integer(id) || id == arrow::Type::BOOL, "class_encode_column: column '", name,
               "' has type ", col->type()->ToString(), "; HINT: it takes string, integer or bool columns");
  data::init_compute();
  auto uniq = unique(name);
  auto drop = unwrap(arrow::compute::DropNull(uniq), name).make_array();
  auto order = unwrap(arrow::compute::SortIndices(*drop), name);
  auto sorted = unwrap(arrow::compute::Take(*drop, *order), name);
  // Names are str() of the sorted values, as HF: "True"/"False" for bools, decimal for ints.
  std::vector<std::string> names;
  for (int64_t i = 0; i < sorted->length(); ++i) {
    auto s = sorted->GetScalar(i).ValueOrDie();
    if (id == arrow::Type::BOOL) names.push_back(static_cast<const arrow::BooleanScalar&>(*s).value ? "True" : "False");
    else names.push_back(s->ToString());
  }
  auto ids = unwrap(arrow::compute::IndexIn(col, arrow::compute::SetLookupOptions(sorted)), name);
  auto ids64 = unwrap(arrow::compute::Cast(ids, arrow::int64()), name).chunked_array();
  Features f = features();
  f.set(name, Feature::class_label(names));
  const int i = table_->schema()->GetFieldIndex(name);
  auto t = unwrap(table_->SetColumn(i, arrow::field(name, arrow::int64()), ids64), "class_encode_column");
  return Dataset(data::with_features(t, f), origin_, hash_parts({fingerprint_, "class_encode_column", name}));
}

Dataset Dataset::flatten() const {
  if (!table_) return *this;
  Features flat;
  const Features nested = features();
  for (const auto& [name, f] : nested.fields()) flatten_features(name, f, flat);
  auto t = table_;
  auto has_struct = [](const arrow::Table& tb) {
    for (const auto& f : tb.schema()->fields())
      if (f->type()->id() == arrow::Type::STRUCT) return true;
    return false;
  };
  while (has_struct(*t)) t = unwrap(t->Flatten(), "flatten");
  return Dataset(data::with_features(t, flat), origin_, hash_parts({fingerprint_, "flatten"}));
}

std::shared_ptr<arrow::Array> Dataset::unique(const std::string& name) const {
  auto col = column(name);
  data::init_compute();
  return unwrap(arrow::compute::Unique(col), "unique('" + name + "')");
}

Dataset Dataset::filter(const BatchPredicate& predicate, int64_t batch_size, const std::string& transform) const {
  AFINAR_CHECK(batch_size > 0, "filter: batch_size must be positive, got ", batch_size);
  std::vector<int64_t> keep;
  if (table_) {
    arrow::TableBatchReader reader(*table_);
    reader.set_chunksize(batch_size);
    int64_t offset = 0;
    std::shared_ptr<arrow::RecordBatch> batch;
    while (true) {
      data::check_ok(reader.ReadNext(&batch), "filter");
      if (!batch) break;
      auto mask = predicate(batch);
      AFINAR_CHECK(int64_t(mask.size()) == batch->num_rows(), "filter: the predicate returned ", mask.size(),
                   " values for a batch of ", batch->num_rows(), " rows");
      for (size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) keep.push_back(offset + int64_t(i));
      offset += batch->num_rows();
    }
  }
  Dataset out = select(keep);
  // A closure is never hashed: only a declared transform gives a reproducible fingerprint.
  out.fingerprint_ = transform.empty() ? data::random_fingerprint()
                                       : hash_parts({fingerprint_, "filter", transform, std::to_string(batch_size)});
  return out;
}

Dataset concatenate_datasets(const std::vector<Dataset>& datasets) {
  AFINAR_CHECK(!datasets.empty(), "concatenate_datasets: needs at least one dataset");
  const Features f = datasets.front().features();
  std::vector<std::shared_ptr<arrow::Table>> tables;
  std::string key;
  for (size_t i = 0; i < datasets.size(); ++i) {
    const auto& d = datasets[i];
    AFINAR_CHECK(d.features() == f, "concatenate_datasets: the features of dataset ", i, " (", d.features().repr(),
                 ") differ from those of dataset 0 (", f.repr(), "); HINT: cast them first");
    if (d.table()) tables.push_back(d.table());
    key += d.fingerprint();
  }
  if (tables.empty()) return datasets.front();
  data::init_compute();
  auto t = unwrap(arrow::ConcatenateTables(tables), "concatenate_datasets");
  return Dataset(data::with_features(t, f), datasets.front().origin(), hash_parts({"concatenate", key}));
}

}  // namespace afinar
