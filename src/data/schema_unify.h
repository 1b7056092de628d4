// Unifying the schemas that blocks of one file were inferred with, as one inference over the
// whole file gives (pyarrow's JSON rules): null fits any type, int64 and double widen to double,
// lists unify their items, structs take the union of their fields in first-seen order; and
// conforming a block's arrays to the unified schema.
#pragma once
#include <arrow/api.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace afinar::data {

/// Two types that no rule unifies (names the path of the field and both types).
struct TypeConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::shared_ptr<arrow::DataType> unify_types(const std::shared_ptr<arrow::DataType>& a,
                                             const std::shared_ptr<arrow::DataType>& b, const std::string& path);
/// a's fields, then b's new ones, each with the unified type. Throws TypeConflict.
std::shared_ptr<arrow::Schema> unify_schemas(const arrow::Schema& a, const arrow::Schema& b);

/// `data` as `type` (a unification of its type): nulls of the new type for a null array, int64 →
/// double, list items and struct fields conformed, missing struct fields null.
std::shared_ptr<arrow::ArrayData> conform_array(const std::shared_ptr<arrow::ArrayData>& data,
                                                const std::shared_ptr<arrow::DataType>& type);
/// The table's columns in `schema`'s order and types; a column it lacks is null.
std::shared_ptr<arrow::Table> conform_table(const arrow::Table& table, const std::shared_ptr<arrow::Schema>& schema);

}  // namespace afinar::data
