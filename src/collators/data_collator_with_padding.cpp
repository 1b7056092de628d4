#include <algorithm>

#include "afinar/collators/data_collator.h"
#include "afinar/core/check.h"

namespace afinar {

DataCollatorWithPadding::DataCollatorWithPadding(int32_t pad_token_id, std::string padding,
                                                 std::optional<int64_t> max_length,
                                                 std::optional<int64_t> pad_to_multiple_of, std::string padding_side,
                                                 int32_t pad_token_type_id)
    : pad_token_id_(pad_token_id),
      pad_token_type_id_(pad_token_type_id),
      padding_(std::move(padding)),
      padding_side_(std::move(padding_side)),
      max_length_(max_length),
      pad_to_multiple_of_(pad_to_multiple_of) {
  AFINAR_CHECK(padding_ == "longest" || padding_ == "max_length",
               "DataCollatorWithPadding: padding must be longest or max_length, got '", padding_, "'");
  AFINAR_CHECK(padding_ != "max_length" || max_length_, "DataCollatorWithPadding: padding=max_length needs max_length");
  AFINAR_CHECK(padding_side_ == "right" || padding_side_ == "left", "padding_side must be right or left, got '",
               padding_side_, "'");
}

Batch DataCollatorWithPadding::operator()(const Examples& features, std::span<const int64_t> rows) const {
  Batch batch;
  const int64_t B = static_cast<int64_t>(rows.size());
  AFINAR_CHECK(B > 0, "DataCollatorWithPadding: empty batch");
  // T: the padded length of every token-level column of this batch.
  int64_t T = 0;
  if (padding_ == "max_length") {
    T = *max_length_;
  } else {
    for (const auto& [name, col] : features.sequences)
      for (int64_t r : rows) T = std::max<int64_t>(T, static_cast<int64_t>(col.at(static_cast<size_t>(r)).size()));
  }
  if (pad_to_multiple_of_ && *pad_to_multiple_of_ > 0)
    T = (T + *pad_to_multiple_of_ - 1) / *pad_to_multiple_of_ * *pad_to_multiple_of_;

  for (const auto& [name, col] : features.sequences) {
    const int64_t pad = name == "input_ids" ? pad_token_id_ : name == "token_type_ids" ? pad_token_type_id_ : 0;
    auto t = torch::full({B, T}, pad, torch::kInt64);  // (B, T)
    auto acc = t.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
      const auto seq = col.at(static_cast<size_t>(rows[b]));
      const int64_t n = static_cast<int64_t>(seq.size());
      AFINAR_CHECK(n <= T, "DataCollatorWithPadding: row ", rows[b], " of '", name, "' has ", n,
                   " tokens, more than max_length ", T, " (truncate when tokenizing)");
      const int64_t off = padding_side_ == "left" ? T - n : 0;
      for (int64_t i = 0; i < n; ++i) acc[b][off + i] = seq[static_cast<size_t>(i)];
    }
    batch[name] = t;
  }
  // transformers renames label / label_ids to labels.
  for (const auto& [name, col] : features.labels) {
    auto t = torch::empty({B}, torch::kInt64);
    int64_t* p = t.data_ptr<int64_t>();
    for (int64_t b = 0; b < B; ++b) p[b] = col[rows[b]];
    batch[name == "label" || name == "label_ids" ? "labels" : name] = t;
  }
  for (const auto& [name, col] : features.float_labels) {
    auto t = torch::empty({B}, torch::kFloat32);
    float* p = t.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) p[b] = col[rows[b]];
    batch[name == "label" || name == "label_ids" ? "labels" : name] = t;
  }
  return batch;
}

}  // namespace afinar
