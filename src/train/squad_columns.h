// Reading SQuAD-shaped Arrow columns (question/context strings, answers {text, answer_start}),
// shared by the question-answering preprocessing and postprocessing.
#pragma once
#include <arrow/api.h>

#include <string>
#include <type_traits>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/metrics/squad.h"

namespace afinar::qa_detail {

/// The answers of one example: run_qa reads answer_start[0] and text[0].
using Answers = SquadAnswers;

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

inline void check_ok(const arrow::Status& s) {
  if (!s.ok()) throw std::runtime_error("question answering: arrow: " + s.ToString());
}

inline std::shared_ptr<arrow::Array> finish(arrow::ArrayBuilder& b) {
  std::shared_ptr<arrow::Array> a;
  check_ok(b.Finish(&a));
  return a;
}

inline std::shared_ptr<arrow::Array> need_column(const arrow::RecordBatch& b, const std::string& name,
                                                 const char* flag) {
  auto col = b.GetColumnByName(name);
  AFINAR_CHECK(col != nullptr, "question answering: no column '", name,
               "'; columns found: ", join(b.schema()->field_names()), ". HINT: ", flag);
  return col;
}

inline std::vector<std::string> strings(const arrow::Array& a, const std::string& name) {
  std::vector<std::string> out;
  out.reserve(size_t(a.length()));
  auto each = [&](const auto& s) {
    for (int64_t i = 0; i < s.length(); ++i) {
      AFINAR_CHECK(!s.IsNull(i), "question answering: column '", name, "' is null in row ", i, " of a batch");
      out.emplace_back(s.GetView(i));
    }
  };
  if (a.type_id() == arrow::Type::STRING)
    each(static_cast<const arrow::StringArray&>(a));
  else if (a.type_id() == arrow::Type::LARGE_STRING)
    each(static_cast<const arrow::LargeStringArray&>(a));
  else
    AFINAR_CHECK(false, "question answering: column '", name, "' is ", a.type()->ToString(), ", not strings");
  return out;
}

// A list<string> / list<int> field of the answers struct, row by row.
template <typename T>
std::vector<std::vector<T>> list_field(const arrow::StructArray& s, const char* field, const std::string& column) {
  auto f = s.GetFieldByName(field);
  AFINAR_CHECK(f && f->type_id() == arrow::Type::LIST, "question answering: column '", column, "' needs a list field '",
               field, "' (SQuAD's answers {text, answer_start}), got ", s.type()->ToString());
  const auto& list = static_cast<const arrow::ListArray&>(*f);
  std::vector<std::vector<T>> out(size_t(s.length()));
  for (int64_t i = 0; i < s.length(); ++i) {
    if (list.IsNull(i) || s.IsNull(i)) continue;
    auto values = list.value_slice(i);
    if constexpr (std::is_same_v<T, std::string>) {
      out[size_t(i)] = strings(*values, column + "." + field);
    } else {
      AFINAR_CHECK(values->type_id() == arrow::Type::INT64 || values->type_id() == arrow::Type::INT32,
                   "question answering: '", column, ".", field, "' holds ", values->type()->ToString(),
                   ", not integers");
      for (int64_t k = 0; k < values->length(); ++k)
        out[size_t(i)].push_back(values->type_id() == arrow::Type::INT64
                                     ? static_cast<const arrow::Int64Array&>(*values).Value(k)
                                     : static_cast<const arrow::Int32Array&>(*values).Value(k));
    }
  }
  return out;
}

inline std::vector<Answers> answers(const arrow::Array& a, const std::string& column) {
  AFINAR_CHECK(a.type_id() == arrow::Type::STRUCT, "question answering: column '", column, "' is ",
               a.type()->ToString(), ", not SQuAD's answers {text: [...], answer_start: [...]}; ",
               "HINT: --answer_column_name");
  const auto& s = static_cast<const arrow::StructArray&>(a);
  auto text = list_field<std::string>(s, "text", column);
  auto start = list_field<int64_t>(s, "answer_start", column);
  std::vector<Answers> out(text.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = {std::move(text[i]), std::move(start[i])};
  return out;
}

}  // namespace afinar::qa_detail
