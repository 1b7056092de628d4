#include "afinar/train/token_classification.h"

#include <algorithm>
#include <map>
#include <set>

#include "afinar/core/check.h"
#include "afinar/data/features.h"
#include "afinar/tokenizers/tokenizer.h"
#include "preprocess_map.h"

namespace afinar {
namespace {

/// Row i of a list array: [begin, end) into its values.
std::pair<int64_t, int64_t> list_range(const arrow::Array& a, int64_t i) {
  if (a.type_id() == arrow::Type::LIST) {
    const auto& l = static_cast<const arrow::ListArray&>(a);
    return {l.value_offset(i), l.value_offset(i + 1)};
  }
  const auto& l = static_cast<const arrow::LargeListArray&>(a);
  return {l.value_offset(i), l.value_offset(i + 1)};
}

/// The list array's values; InvalidArgument naming the column unless a list of strings or
/// integers. `integers` tells which.
std::shared_ptr<arrow::Array> list_values(const arrow::Array& a, const std::string& name, const std::string& origin,
                                          bool* integers) {
  std::shared_ptr<arrow::Array> values;
  if (a.type_id() == arrow::Type::LIST)
    values = static_cast<const arrow::ListArray&>(a).values();
  else if (a.type_id() == arrow::Type::LARGE_LIST)
    values = static_cast<const arrow::LargeListArray&>(a).values();
  else
    throw InvalidArgument(detail::concat(origin, ": column '", name, "' must be a list (of words or labels), got ",
                                         a.type()->ToString()));
  const bool is_str = values->type_id() == arrow::Type::STRING || values->type_id() == arrow::Type::LARGE_STRING;
  const bool is_int = arrow::is_integer(values->type_id());
  AFINAR_CHECK(is_str || is_int, origin, ": column '", name, "' must hold strings or integers, got list<",
               values->type()->ToString(), ">");
  *integers = is_int;
  return values;
}

/// The rows of a list array (a batch's column), each as strings: string items as they are,
/// integer items (ClassLabel ids) in decimal. A null row is empty; a null item names its row.
std::vector<std::vector<std::string>> list_strings(const arrow::Array& a, const std::string& name,
                                                   const std::string& origin, int64_t first_row, bool* integers) {
  const auto values = list_values(a, name, origin, integers);
  if (a.length() == 0) return {};
  // The values of these rows only: a batch is a slice of a larger chunk.
  const int64_t base = list_range(a, 0).first;
  if (values->null_count() > 0)
    for (int64_t i = 0; i < a.length(); ++i) {
      const auto [b, e] = list_range(a, i);
      for (int64_t k = b; k < e; ++k)
        AFINAR_CHECK(!values->IsNull(k), origin, ": column '", name, "' row ", first_row + i, " has a null item");
    }
  std::vector<int64_t> ints;
  if (*integers) append_int64(*values->Slice(base, list_range(a, a.length() - 1).second - base), name, 0, ints);
  std::vector<std::vector<std::string>> out(static_cast<size_t>(a.length()));
  for (int64_t i = 0; i < a.length(); ++i) {
    const auto [b, e] = list_range(a, i);
    auto& row = out[static_cast<size_t>(i)];
    row.reserve(static_cast<size_t>(e - b));
    for (int64_t k = b; k < e; ++k) {
      if (*integers) {
        row.push_back(std::to_string(ints[static_cast<size_t>(k - base)]));
      } else if (values->type_id() == arrow::Type::STRING) {
        row.emplace_back(static_cast<const arrow::StringArray&>(*values).GetView(k));
      } else {
        row.emplace_back(static_cast<const arrow::LargeStringArray&>(*values).GetView(k));
      }
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> get_token_label_list(const Dataset& train, const std::string& label_column) {
  Features f = train.features();
  if (f.contains(label_column)) {
    const Feature& col = f[label_column];
    if ((col.kind() == Feature::Kind::List || col.kind() == Feature::Kind::LargeList) &&
        col.feature().kind() == Feature::Kind::ClassLabel)
      return col.feature().names();
  }
  // The unique label strings, slice by slice (a memory-mapped column is not kept resident).
  constexpr int64_t kSlice = 1 << 14;
  std::set<std::string> labels;
  int64_t row = 0;
  for (const auto& chunk : train.column(label_column)->chunks()) {
    for (int64_t lo = 0; lo < chunk->length(); lo += kSlice) {
      bool integers = false;
      const auto slice = chunk->Slice(lo, std::min(kSlice, chunk->length() - lo));
      for (auto& r : list_strings(*slice, label_column, train.origin(), row + lo, &integers))
        labels.insert(std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
    }
    row += chunk->length();
    release_pages(*chunk);
  }
  AFINAR_CHECK(!labels.empty(), train.origin(), ": the label column '", label_column, "' is empty");
  return {labels.begin(), labels.end()};
}

std::vector<int64_t> b_to_i_labels(const std::vector<std::string>& names) {
  std::vector<int64_t> out(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    out[i] = static_cast<int64_t>(i);
    if (names[i].rfind("B-", 0) != 0) continue;
    auto it = std::find(names.begin(), names.end(), "I-" + names[i].substr(2));
    if (it != names.end()) out[i] = it - names.begin();
  }
  return out;
}

Dataset preprocess_token_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                        const TokenClassificationPreprocessing& opt,
                                        const std::vector<std::string>& label_names, bool require_labels) {
  AFINAR_CHECK(ds.has_column(opt.text_column_name), split, " split (", ds.origin(), "): no word-list column '",
               opt.text_column_name, "'. HINT: --text_column_name");
  const bool has_labels = ds.has_column(opt.label_column_name);
  AFINAR_CHECK(has_labels || !require_labels, split, " split (", ds.origin(), "): no label column '",
               opt.label_column_name, "'. HINT: --label_column_name");
  EncodeOptions eo;
  eo.truncation = true;
  eo.max_length = opt.max_seq_length.value_or(tok.model_max_length());
  if (opt.pad_to_max_length) eo.padding = "max_length";
  const bool types = tok.uses_token_type_ids();
  const auto b_to_i = b_to_i_labels(label_names);
  std::map<std::string, int64_t> by_name;
  for (size_t i = 0; i < label_names.size(); ++i) by_name[label_names[i]] = static_cast<int64_t>(i);
  const std::string key = preprocess::key({{"tokenizer", tok.fingerprint()},
                                           {"text_column_name", opt.text_column_name},
                                           {"label_column_name", opt.label_column_name},
                                           {"max_length", std::to_string(*eo.max_length)},
                                           {"label_all_tokens", std::to_string(opt.label_all_tokens)},
                                           {"pad_to_max_length", std::to_string(opt.pad_to_max_length)},
                                           {"label_names", preprocess::joined(label_names)}});
  const std::string origin = ds.origin();
  auto fn = [&](const arrow::RecordBatch& b, int64_t first) {
    bool integers = false;
    const auto words =
        list_strings(*b.GetColumnByName(opt.text_column_name), opt.text_column_name, origin, first, &integers);
    AFINAR_CHECK(!integers, split, " split (", origin, "): column '", opt.text_column_name,
                 "' must hold lists of words (strings)");
    const std::vector<Encoding> enc = tok.encode_pretokenized_batch(words, eo, opt.num_threads);
    auto cols = preprocess::encoding_columns(enc, types);
    if (!has_labels) return preprocess::make_batch(cols, b.num_rows());
    const auto labels =
        list_strings(*b.GetColumnByName(opt.label_column_name), opt.label_column_name, origin, first, &integers);
    Int32ListBuilder out(enc.size());
    std::vector<int32_t> aligned;
    for (size_t r = 0; r < enc.size(); ++r) {
      const int64_t row = first + static_cast<int64_t>(r);
      AFINAR_CHECK(labels[r].size() == words[r].size(), split, " split (", origin, "), row ", row, ": ",
                   words[r].size(), " words but ", labels[r].size(), " labels");
      aligned.clear();
      int32_t previous = -1;
      for (int32_t w : enc[r].word_ids) {
        if (w < 0) {
          aligned.push_back(-100);
        } else {
          // ClassLabel ids name the label by position; strings by name.
          const std::string& label = labels[r][static_cast<size_t>(w)];
          int64_t id = -1;
          if (integers) {
            const int64_t v = std::stoll(label);
            if (v >= 0 && v < static_cast<int64_t>(label_names.size())) id = v;
          } else if (auto it = by_name.find(label); it != by_name.end()) {
            id = it->second;
          }
          AFINAR_CHECK(id >= 0, split, " split (", origin, "), row ", row, ": label '", label,
                       "' is not one of the model's ", label_names.size(), " labels");
          if (w != previous)
            aligned.push_back(static_cast<int32_t>(id));
          else
            aligned.push_back(opt.label_all_tokens ? static_cast<int32_t>(b_to_i[static_cast<size_t>(id)]) : -100);
        }
        previous = w;
      }
      out.append(aligned);
    }
    cols.emplace_back("labels", out.finish());
    return preprocess::make_batch(cols, b.num_rows());
  };
  return preprocess::map_batches(ds, "preprocess_token_classification", key, fn);
}

}  // namespace afinar
