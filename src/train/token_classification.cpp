#include "afinar/train/token_classification.h"

#include <arrow/api.h>

#include <algorithm>
#include <map>

#include "afinar/core/check.h"
#include "afinar/data/dataset.h"
#include "afinar/data/features.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {
namespace {

/// The list column `name` as one vector of strings per row (string items), or of the items'
/// decimal form (integer items, i.e. ClassLabel ids).
std::vector<std::vector<std::string>> list_column(const Dataset& ds, const std::string& name, bool* integers) {
  auto col = ds.column(name);
  std::vector<std::vector<std::string>> out;
  out.reserve(static_cast<size_t>(ds.num_rows()));
  *integers = false;
  for (const auto& chunk : col->chunks()) {
    std::shared_ptr<arrow::Array> values;
    auto offsets = [&](int64_t i) -> std::pair<int64_t, int64_t> {
      if (chunk->type_id() == arrow::Type::LIST) {
        auto l = std::static_pointer_cast<arrow::ListArray>(chunk);
        return {l->value_offset(i), l->value_offset(i + 1)};
      }
      auto l = std::static_pointer_cast<arrow::LargeListArray>(chunk);
      return {l->value_offset(i), l->value_offset(i + 1)};
    };
    if (chunk->type_id() == arrow::Type::LIST)
      values = std::static_pointer_cast<arrow::ListArray>(chunk)->values();
    else if (chunk->type_id() == arrow::Type::LARGE_LIST)
      values = std::static_pointer_cast<arrow::LargeListArray>(chunk)->values();
    else
      throw InvalidArgument(detail::concat(ds.origin(), ": column '", name,
                                           "' must be a list (of words or labels), got ", chunk->type()->ToString()));
    const bool is_str = values->type_id() == arrow::Type::STRING || values->type_id() == arrow::Type::LARGE_STRING;
    const bool is_int = arrow::is_integer(values->type_id());
    AFINAR_CHECK(is_str || is_int, ds.origin(), ": column '", name, "' must hold strings or integers, got list<",
                 values->type()->ToString(), ">");
    *integers = is_int;
    for (int64_t i = 0; i < chunk->length(); ++i) {
      auto [b, e] = offsets(i);
      std::vector<std::string> row;
      row.reserve(static_cast<size_t>(e - b));
      for (int64_t k = b; k < e; ++k) {
        auto scalar = values->GetScalar(k).ValueOrDie();
        AFINAR_CHECK(scalar->is_valid, ds.origin(), ": column '", name, "' row ", out.size(), " has a null item");
        if (is_str)
          row.push_back(std::static_pointer_cast<arrow::BaseBinaryScalar>(scalar)->ToString());
        else
          row.push_back(scalar->ToString());
      }
      out.push_back(std::move(row));
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
  bool integers = false;
  auto rows = list_column(train, label_column, &integers);
  std::vector<std::string> labels;
  for (auto& r : rows) labels.insert(labels.end(), r.begin(), r.end());
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  AFINAR_CHECK(!labels.empty(), train.origin(), ": the label column '", label_column, "' is empty");
  return labels;
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

Examples preprocess_token_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                         const TokenClassificationPreprocessing& opt,
                                         const std::vector<std::string>& label_names, bool require_labels) {
  bool integers = false;
  AFINAR_CHECK(ds.has_column(opt.text_column_name), split, " split (", ds.origin(), "): no word-list column '",
               opt.text_column_name, "'. HINT: --text_column_name");
  auto words = list_column(ds, opt.text_column_name, &integers);
  AFINAR_CHECK(!integers, split, " split (", ds.origin(), "): column '", opt.text_column_name,
               "' must hold lists of words (strings)");
  EncodeOptions eo;
  eo.truncation = true;
  eo.max_length = opt.max_seq_length.value_or(tok.model_max_length());
  if (opt.pad_to_max_length) eo.padding = "max_length";
  std::vector<Encoding> enc = tok.encode_pretokenized_batch(words, eo, opt.num_threads);

  Examples f;
  auto& ids = f.sequences["input_ids"];
  auto& mask = f.sequences["attention_mask"];
  auto* type_ids = tok.uses_token_type_ids() ? &f.sequences["token_type_ids"] : nullptr;
  for (auto& e : enc) {
    ids.push_back(e.ids);
    mask.emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (type_ids) type_ids->push_back(e.type_ids);
  }
  if (!ds.has_column(opt.label_column_name)) {
    AFINAR_CHECK(!require_labels, split, " split (", ds.origin(), "): no label column '", opt.label_column_name,
                 "'. HINT: --label_column_name");
    return f;
  }
  auto labels = list_column(ds, opt.label_column_name, &integers);
  std::map<std::string, int64_t> to_id;
  for (size_t i = 0; i < label_names.size(); ++i)
    to_id[integers ? std::to_string(i) : label_names[i]] = static_cast<int64_t>(i);
  const auto b_to_i = b_to_i_labels(label_names);
  auto& out = f.sequences["labels"];
  out.reserve(enc.size());
  for (size_t row = 0; row < enc.size(); ++row) {
    AFINAR_CHECK(labels[row].size() == words[row].size(), split, " split (", ds.origin(), "), row ", row, ": ",
                 words[row].size(), " words but ", labels[row].size(), " labels");
    std::vector<int32_t> aligned;
    aligned.reserve(enc[row].size());
    int32_t previous = -1;
    for (int32_t w : enc[row].word_ids) {
      if (w < 0) {
        aligned.push_back(-100);
      } else {
        const std::string& label = labels[row][static_cast<size_t>(w)];
        auto it = to_id.find(label);
        AFINAR_CHECK(it != to_id.end(), split, " split (", ds.origin(), "), row ", row, ": label '", label,
                     "' is not one of the model's ", label_names.size(), " labels");
        if (w != previous)
          aligned.push_back(static_cast<int32_t>(it->second));
        else
          aligned.push_back(opt.label_all_tokens ? static_cast<int32_t>(b_to_i[static_cast<size_t>(it->second)])
                                                 : -100);
      }
      previous = w;
    }
    out.push_back(std::move(aligned));
  }
  return f;
}

}  // namespace afinar
