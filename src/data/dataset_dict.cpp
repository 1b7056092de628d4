// DatasetDict transforms: the Dataset transform on every split, split order kept.
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "afinar/data/dataset.h"
#include "afinar/data/map.h"
#include "readers.h"

namespace afinar {
namespace {

template <typename Fn>
DatasetDict each(const DatasetDict& dd, Fn fn) {
  DatasetDict out;
  for (const auto& split : dd.splits()) out.set(split, fn(dd[split]));
  return out;
}

}  // namespace

DatasetDict DatasetDict::map(const BatchFunction& function, const MapOptions& options) const {
  return each(*this, [&](const Dataset& d) { return d.map(function, options); });
}
DatasetDict DatasetDict::filter(const BatchPredicate& predicate, int64_t batch_size, const std::string& transform) const {
  return each(*this, [&](const Dataset& d) { return d.filter(predicate, batch_size, transform); });
}
DatasetDict DatasetDict::shuffle(uint64_t seed) const {
  return each(*this, [&](const Dataset& d) { return d.shuffle(seed); });
}
DatasetDict DatasetDict::remove_columns(const std::vector<std::string>& names) const {
  return each(*this, [&](const Dataset& d) { return d.remove_columns(names); });
}
DatasetDict DatasetDict::rename_column(const std::string& from, const std::string& to) const {
  return each(*this, [&](const Dataset& d) { return d.rename_column(from, to); });
}
DatasetDict DatasetDict::cast_column(const std::string& name, const Feature& feature) const {
  return each(*this, [&](const Dataset& d) { return d.cast_column(name, feature); });
}
DatasetDict DatasetDict::flatten() const {
  return each(*this, [](const Dataset& d) { return d.flatten(); });
}

DatasetDict DatasetDict::class_encode_column(const std::string& name) const {
  // HF: the class names are the sorted unique values of all splits together.
  std::vector<Dataset> parts;
  for (const auto& split : splits()) parts.push_back((*this)[split].select_columns({name}));
  if (parts.empty()) return *this;
  const Feature label = concatenate_datasets(parts).class_encode_column(name).features()[name];
  return each(*this, [&](const Dataset& d) {
    // The values as their str() names (as HF names the classes), then through str2int.
    auto col = d.column(name);
    std::shared_ptr<arrow::ChunkedArray> names;
    if (col->type()->id() == arrow::Type::BOOL) {
      arrow::StringBuilder b;
      for (const auto& chunk : col->chunks()) {
        const auto& bools = static_cast<const arrow::BooleanArray&>(*chunk);
        for (int64_t i = 0; i < bools.length(); ++i)
          data::check_ok(bools.IsNull(i) ? b.AppendNull() : b.Append(bools.Value(i) ? "True" : "False"), name);
      }
      names = std::make_shared<arrow::ChunkedArray>(data::unwrap(b.Finish(), name));
    } else {
      data::init_compute();
      names = data::unwrap(arrow::compute::Cast(col, arrow::utf8()), name).chunked_array();
    }
    const int i = d.table()->schema()->GetFieldIndex(name);
    auto t = data::unwrap(d.table()->SetColumn(i, arrow::field(name, arrow::utf8()), names), "class_encode_column");
    Features f = d.features();
    f.set(name, Feature::value("string"));
    return Dataset(data::with_features(t, f), d.origin(), d.fingerprint()).cast_column(name, label);
  });
}

}  // namespace afinar
