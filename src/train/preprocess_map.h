// What the task preprocessing functions share: one Dataset::map over record batches with the
// declared-transform cache, the rows counted for error messages, and the cache key written out.
#pragma once
#include <arrow/api.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "afinar/data/arrow_columns.h"
#include "afinar/data/dataset.h"
#include "afinar/data/map.h"
#include "afinar/tokenizers/encoding.h"

namespace afinar::preprocess {

/// Bumped when a preprocessing function changes what it writes for the same input and options,
/// so that caches written before are not served.
inline constexpr const char* kVersion = "preprocess-v1";

/// A batch function that also gets the batch's first row (for messages naming the row).
using RowsFunction = std::function<std::shared_ptr<arrow::RecordBatch>(const arrow::RecordBatch&, int64_t first_row)>;

/// "k1=v1\0k2=v2\0…": every option the output depends on, unambiguous, for MapOptions::transform_key.
inline std::string key(std::initializer_list<std::pair<const char*, std::string>> parts) {
  std::string out = kVersion;
  for (const auto& [k, v] : parts) {
    out += '\0';
    out += k;
    out += '=';
    out += std::to_string(v.size()) + ':' + v;
  }
  return out;
}

inline std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += std::to_string(s.size()) + ':' + s;
  return out;
}

/// ds.map(fn) with the declared transform `name` and `key`, every input column removed (the
/// output holds what `fn` returns, so a function may change the row count). The function is
/// called in order, one batch at a time, so the running row count is exact. Datasets built in
/// memory are mapped without a cache file (as HF).
inline Dataset map_batches(const Dataset& ds, const std::string& name, std::string key_text, const RowsFunction& fn,
                           int64_t batch_size = 1000) {
  MapOptions o;
  o.transform = name;
  o.transform_key = std::move(key_text);
  o.batch_size = batch_size;
  // Record batches of 32 Ki rows in the cache file: a training set of 30 M rows reads back as
  // ~1,000 batches, not 30,000 (each an Arrow object per column, and a page of metadata touched).
  o.writer_batch_size = int64_t{1} << 15;
  o.remove_columns = ds.column_names();
  int64_t first_row = 0;
  return ds.map(
      [&](const std::shared_ptr<arrow::RecordBatch>& b) {
        auto out = fn(*b, first_row);
        first_row += b->num_rows();
        return out;
      },
      o);
}

/// A record batch of named columns (all of `rows` rows).
inline std::shared_ptr<arrow::RecordBatch> make_batch(
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>>& columns, int64_t rows) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const auto& [name, a] : columns) {
    fields.push_back(arrow::field(name, a->type()));
    arrays.push_back(a);
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), rows, arrays);
}

/// One list<int32> column from a member of each encoding. (rows) → (rows, tokens)
template <typename Member>
std::shared_ptr<arrow::Array> encoding_lists(const std::vector<Encoding>& encs, Member member) {
  Int32ListBuilder b(encs.size());
  for (const auto& e : encs) b.append(e.*member);
  return b.finish();
}

/// An int64 column.
inline std::shared_ptr<arrow::Array> int64_array(std::vector<int64_t> values) {
  const auto n = static_cast<int64_t>(values.size());
  return std::make_shared<arrow::Int64Array>(n, arrow::Buffer::FromVector(std::move(values)));
}

/// The tokenizer outputs transformers returns for a text: input_ids, [token_type_ids],
/// attention_mask (+ special_tokens_mask when asked).
inline std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> encoding_columns(
    const std::vector<Encoding>& encs, bool token_type_ids, bool special_tokens_mask = false) {
  std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> cols;
  cols.emplace_back("input_ids", encoding_lists(encs, &Encoding::ids));
  if (token_type_ids) cols.emplace_back("token_type_ids", encoding_lists(encs, &Encoding::type_ids));
  cols.emplace_back("attention_mask", encoding_lists(encs, &Encoding::attention_mask));
  if (special_tokens_mask)
    cols.emplace_back("special_tokens_mask", encoding_lists(encs, &Encoding::special_tokens_mask));
  return cols;
}

}  // namespace afinar::preprocess
