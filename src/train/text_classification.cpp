#include "afinar/train/text_classification.h"

#include <algorithm>

#include "afinar/core/check.h"
#include "afinar/data/dataset.h"
#include "afinar/tokenizers/tokenizer.h"

namespace afinar {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<int64_t> get_label_list(const Dataset& train, const std::string& label_column) {
  std::vector<int64_t> labels = train.column_int64(label_column);
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  AFINAR_CHECK(!labels.empty(), train.origin(), ": the label column '", label_column, "' is empty");
  return labels;
}

Examples preprocess_classification(const Dataset& ds, const std::string& split, const Tokenizer& tok,
                                   const ClassificationPreprocessing& opt, const std::vector<int64_t>& label_list,
                                   bool require_labels) {
  for (const auto& c : opt.text_column_names)
    AFINAR_CHECK(ds.has_column(c), split, " split (", ds.origin(), "): no text column '", c, "'; columns found: ",
                 join(ds.column_names()), ". HINT: --text_column_names");
  // Joined text of every row (run_classification joins several text columns with a space).
  std::vector<std::string> texts = ds.column_strings(opt.text_column_names[0]);
  for (size_t c = 1; c < opt.text_column_names.size(); ++c) {
    auto more = ds.column_strings(opt.text_column_names[c]);
    for (size_t i = 0; i < texts.size(); ++i) texts[i] += " " + more[i];
  }
  EncodeOptions eo;
  eo.truncation = true;
  eo.max_length = opt.max_seq_length;
  if (opt.pad_to_max_length) eo.padding = "max_length";
  std::vector<Encoding> enc = tok.encode_batch(texts, eo, opt.num_threads);

  Examples f;
  auto& ids = f.sequences["input_ids"];
  auto& mask = f.sequences["attention_mask"];
  ids.reserve(enc.size());
  mask.reserve(enc.size());
  const bool types = tok.uses_token_type_ids();
  auto* type_ids = types ? &f.sequences["token_type_ids"] : nullptr;
  for (auto& e : enc) {
    ids.push_back(std::move(e.ids));
    mask.emplace_back(e.attention_mask.begin(), e.attention_mask.end());
    if (type_ids) type_ids->push_back(std::move(e.type_ids));
  }

  if (!ds.has_column(opt.label_column_name)) {
    AFINAR_CHECK(!require_labels, split, " split (", ds.origin(), "): no label column '", opt.label_column_name,
                 "'; columns found: ", join(ds.column_names()), ". HINT: --label_column_name");
    return f;
  }
  std::vector<int64_t> raw = ds.column_int64(opt.label_column_name);
  auto& labels = f.labels["label"];
  labels.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    auto it = std::lower_bound(label_list.begin(), label_list.end(), raw[i]);
    AFINAR_CHECK(it != label_list.end() && *it == raw[i], split, " split (", ds.origin(), "), row ", i, ": label ", raw[i],
                 " is out of range: the model's labels are ", label_list.front(), "..", label_list.back(), " (",
                 label_list.size(), " labels)");
    labels.push_back(it - label_list.begin());
  }
  return f;
}

}  // namespace afinar
