#include "afinar/train/text_classification.h"

#include <algorithm>

#include "afinar/core/check.h"
#include "afinar/tokenizers/tokenizer.h"
#include "preprocess_map.h"

namespace afinar {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<int64_t> get_label_list(const Dataset& train, const std::string& label_column) {
  const auto col = train.column(label_column);  // names the columns found when absent
  const auto id = col->type()->id();
  AFINAR_CHECK(arrow::is_integer(id) || id == arrow::Type::BOOL, "column '", label_column, "' has type ",
               col->type()->ToString(), ", expected an integer or bool type");
  // The unique values of each slice merged into the sorted set: memory O(labels + slice).
  constexpr int64_t kSlice = 1 << 16;
  std::vector<int64_t> labels, part, merged;
  int64_t row = 0;
  for (const auto& chunk : col->chunks()) {
    for (int64_t lo = 0; lo < chunk->length(); lo += kSlice) {
      const auto slice = chunk->Slice(lo, std::min(kSlice, chunk->length() - lo));
      part.clear();
      append_int64(*slice, label_column, row + lo, part);
      std::sort(part.begin(), part.end());
      part.erase(std::unique(part.begin(), part.end()), part.end());
      merged.clear();
      std::set_union(labels.begin(), labels.end(), part.begin(), part.end(), std::back_inserter(merged));
      labels.swap(merged);
    }
    row += chunk->length();
    release_pages(*chunk);
  }
  AFINAR_CHECK(!labels.empty(), train.origin(), ": the label column '", label_column, "' is empty");
  return labels;
}

Dataset preprocess_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                  const ClassificationPreprocessing& opt, const std::vector<int64_t>& label_list,
                                  bool require_labels) {
  AFINAR_CHECK(!opt.text_column_names.empty(), split, " split: no text column given. HINT: --text_column_names");
  for (const auto& c : opt.text_column_names)
    AFINAR_CHECK(ds.has_column(c), split, " split (", ds.origin(), "): no text column '", c,
                 "'; columns found: ", join(ds.column_names()), ". HINT: --text_column_names");
  const bool has_labels = ds.has_column(opt.label_column_name);
  AFINAR_CHECK(has_labels || !require_labels, split, " split (", ds.origin(), "): no label column '",
               opt.label_column_name, "'; columns found: ", join(ds.column_names()), ". HINT: --label_column_name");
  AFINAR_CHECK(!has_labels || !label_list.empty(), split, " split (", ds.origin(), "): the label list is empty");
  EncodeOptions eo;
  eo.truncation = true;
  eo.max_length = opt.max_seq_length;
  if (opt.pad_to_max_length) eo.padding = "max_length";
  const bool types = tok.uses_token_type_ids();
  std::string labels_key;
  for (int64_t l : label_list) labels_key += std::to_string(l) + ",";
  const std::string key = preprocess::key({{"tokenizer", tok.fingerprint()},
                                           {"text_column_names", preprocess::joined(opt.text_column_names)},
                                           {"label_column_name", opt.label_column_name},
                                           {"max_seq_length", std::to_string(opt.max_seq_length)},
                                           {"pad_to_max_length", std::to_string(opt.pad_to_max_length)},
                                           {"label_list", labels_key}});
  const std::string origin = ds.origin();
  return preprocess::map_batches(ds, "preprocess_classification", key, [&](const arrow::RecordBatch& b, int64_t first) {
    // Joined text of every row (run_classification joins several text columns with a space).
    const auto views = batch_strings(b, opt.text_column_names[0], first);
    std::vector<std::string> texts(views.begin(), views.end());
    for (size_t c = 1; c < opt.text_column_names.size(); ++c) {
      const auto more = batch_strings(b, opt.text_column_names[c], first);
      for (size_t i = 0; i < texts.size(); ++i) (texts[i] += ' ') += more[i];
    }
    auto cols = preprocess::encoding_columns(tok.encode_batch(texts, eo, opt.num_threads), types);
    if (has_labels) {
      std::vector<int64_t> ids = batch_int64(b, opt.label_column_name, first);
      for (size_t i = 0; i < ids.size(); ++i) {
        auto it = std::lower_bound(label_list.begin(), label_list.end(), ids[i]);
        AFINAR_CHECK(it != label_list.end() && *it == ids[i], split, " split (", origin, "), row ",
                     first + static_cast<int64_t>(i), ": label ", ids[i], " is out of range: the model's labels are ",
                     label_list.front(), "..", label_list.back(), " (", label_list.size(), " labels)");
        ids[i] = it - label_list.begin();
      }
      cols.emplace_back("label", preprocess::int64_array(std::move(ids)));
    }
    return preprocess::make_batch(cols, b.num_rows());
  });
}

}  // namespace afinar
