#include "schema_unify.h"

#include <arrow/compute/api.h>

#include <algorithm>

#include "readers.h"

namespace afinar::data {

std::shared_ptr<arrow::DataType> unify_types(const std::shared_ptr<arrow::DataType>& a,
                                             const std::shared_ptr<arrow::DataType>& b, const std::string& path) {
  if (a->id() == arrow::Type::NA) return b;
  if (b->id() == arrow::Type::NA || a->Equals(*b)) return a;
  const auto ia = a->id(), ib = b->id();
  if ((ia == arrow::Type::INT64 && ib == arrow::Type::DOUBLE) ||
      (ia == arrow::Type::DOUBLE && ib == arrow::Type::INT64))
    return arrow::float64();
  if (ia == arrow::Type::LIST && ib == arrow::Type::LIST)
    return arrow::list(a->field(0)->WithType(unify_types(a->field(0)->type(), b->field(0)->type(), path + "[]")));
  if (ia == arrow::Type::STRUCT && ib == arrow::Type::STRUCT) {
    arrow::FieldVector fields = a->fields();
    for (const auto& f : b->fields()) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& g) { return g->name() == f->name(); });
      if (it == fields.end())
        fields.push_back(f);
      else
        *it = (*it)->WithType(unify_types((*it)->type(), f->type(), path.empty() ? f->name() : path + "." + f->name()));
    }
    return arrow::struct_(fields);
  }
  throw TypeConflict("key '" + path + "' has type " + a->ToString() + " in some rows and " + b->ToString() +
                     " in others; HINT: a column must have one type across all rows");
}

std::shared_ptr<arrow::Schema> unify_schemas(const arrow::Schema& a, const arrow::Schema& b) {
  if (a.Equals(b, /*check_metadata=*/false)) return std::make_shared<arrow::Schema>(a);
  auto t = unify_types(arrow::struct_(a.fields()), arrow::struct_(b.fields()), "");
  return arrow::schema(t->fields(), a.metadata());
}

std::shared_ptr<arrow::ArrayData> conform_array(const std::shared_ptr<arrow::ArrayData>& data,
                                                const std::shared_ptr<arrow::DataType>& type) {
  if (data->type->Equals(*type)) return data;
  const auto id = data->type->id();
  if (id == arrow::Type::NA) return unwrap(arrow::MakeArrayOfNull(type, data->length), "conform")->data();
  if (id == arrow::Type::INT64 && type->id() == arrow::Type::DOUBLE) {
    init_compute();
    // Unsafe: a JSON integer beyond 2^53 becomes the nearest double, as a parse of the text does.
    auto cast = unwrap(arrow::compute::Cast(arrow::MakeArray(data), type, arrow::compute::CastOptions::Unsafe()),
                       "conform int64 to double");
    return cast.make_array()->data();
  }
  auto out = data->Copy();
  out->type = type;
  if (id == arrow::Type::LIST && type->id() == arrow::Type::LIST) {
    out->child_data = {conform_array(data->child_data[0], type->field(0)->type())};
    return out;
  }
  if (id == arrow::Type::STRUCT && type->id() == arrow::Type::STRUCT) {
    // Children span the parent's offset + length; a missing field is null over that extent.
    out->child_data.clear();
    for (const auto& f : type->fields()) {
      const int i = static_cast<const arrow::StructType&>(*data->type).GetFieldIndex(f->name());
      if (i >= 0)
        out->child_data.push_back(conform_array(data->child_data[size_t(i)], f->type()));
      else
        out->child_data.push_back(
            unwrap(arrow::MakeArrayOfNull(f->type(), data->offset + data->length), "conform")->data());
    }
    return out;
  }
  throw TypeConflict("cannot conform " + data->type->ToString() + " to " + type->ToString());
}

std::shared_ptr<arrow::Table> conform_table(const arrow::Table& table, const std::shared_ptr<arrow::Schema>& schema) {
  arrow::ChunkedArrayVector columns;
  for (const auto& f : schema->fields()) {
    auto col = table.GetColumnByName(f->name());
    if (!col) {
      columns.push_back(std::make_shared<arrow::ChunkedArray>(
          unwrap(arrow::MakeArrayOfNull(f->type(), table.num_rows()), "conform")));
      continue;
    }
    arrow::ArrayVector chunks;
    for (const auto& c : col->chunks()) chunks.push_back(arrow::MakeArray(conform_array(c->data(), f->type())));
    columns.push_back(std::make_shared<arrow::ChunkedArray>(chunks, f->type()));
  }
  return arrow::Table::Make(schema, columns, table.num_rows());
}

}  // namespace afinar::data
