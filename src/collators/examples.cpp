#include "afinar/collators/examples.h"

#include <arrow/api.h>

#include "afinar/core/check.h"
#include "afinar/data/dataset.h"

namespace afinar {

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

Examples Examples::from_dataset(const Dataset& ds, const std::vector<std::string>& columns) {
  Examples f;
  for (const auto& name : columns) {
    if (!ds.has_column(name)) continue;
    auto type = ds.table()->schema()->GetFieldByName(name)->type();
    if (type->id() == arrow::Type::LIST || type->id() == arrow::Type::LARGE_LIST) {
      f.sequences[name] = ds.column_int_lists(name);
    } else if (arrow::is_floating(type->id())) {
      auto chunks = ds.table()->GetColumnByName(name);
      std::vector<float> v;
      v.reserve(ds.num_rows());
      for (const auto& c : chunks->chunks()) {
        auto d = std::static_pointer_cast<arrow::DoubleArray>(c);
        AFINAR_CHECK(type->id() == arrow::Type::DOUBLE, ds.origin(), ": column '", name, "' has type ",
                     type->ToString(), "; float labels must be float64");
        for (int64_t i = 0; i < d->length(); ++i) v.push_back(static_cast<float>(d->Value(i)));
      }
      f.float_labels[name] = std::move(v);
    } else {
      f.labels[name] = ds.column_int64(name);
    }
  }
  return f;
}

}  // namespace afinar
