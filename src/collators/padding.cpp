#include "afinar/collators/padding.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar {

int64_t longest(const SequenceColumn& col, std::span<const int64_t> rows) {
  int64_t T = 0;
  for (int64_t r : rows) T = std::max<int64_t>(T, static_cast<int64_t>(col.at(static_cast<size_t>(r)).size()));
  return T;
}

int64_t round_up(int64_t T, std::optional<int64_t> multiple) {
  if (!multiple || *multiple <= 0) return T;
  return (T + *multiple - 1) / *multiple * *multiple;
}

torch::Tensor pad_column(const SequenceColumn& col, std::span<const int64_t> rows, int64_t T, int64_t pad,
                         const std::string& side, const std::string& name) {
  const int64_t B = static_cast<int64_t>(rows.size());
  auto t = torch::full({B, T}, pad, torch::kInt64);  // (B, T)
  auto acc = t.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const auto seq = col.at(static_cast<size_t>(rows[b]));
    const int64_t n = static_cast<int64_t>(seq.size());
    AFINAR_CHECK(n <= T, "row ", rows[b], " of '", name, "' has ", n, " tokens, more than the padded length ", T,
                 " (truncate when tokenizing)");
    const int64_t off = side == "left" ? T - n : 0;
    for (int64_t i = 0; i < n; ++i) acc[b][off + i] = seq[static_cast<size_t>(i)];
  }
  return t;
}

void PadOptions::validate(const char* who) const {
  AFINAR_CHECK(padding == "longest" || padding == "max_length", who, ": padding must be longest or max_length, got '",
               padding, "'");
  AFINAR_CHECK(padding != "max_length" || max_length, who, ": padding=max_length needs max_length");
  AFINAR_CHECK(padding_side == "right" || padding_side == "left", who, ": padding_side must be right or left, got '",
               padding_side, "'");
}

Batch pad_inputs(const Examples& features, std::span<const int64_t> rows, const PadOptions& opts,
                 const std::set<std::string>& skip) {
  AFINAR_CHECK(!rows.empty(), "collator: empty batch");
  Batch batch;
  int64_t T = 0;
  if (opts.padding == "max_length") {
    T = *opts.max_length;
  } else {
    for (const auto& [name, col] : features.sequences)
      if (!skip.count(name)) T = std::max(T, longest(col, rows));
  }
  T = round_up(T, opts.pad_to_multiple_of);
  for (const auto& [name, col] : features.sequences) {
    if (skip.count(name)) continue;
    const int64_t pad = name == "input_ids"             ? opts.pad_token_id
                        : name == "token_type_ids"      ? opts.pad_token_type_id
                        : name == "special_tokens_mask" ? 1
                                                        : 0;
    batch[name] = pad_column(col, rows, T, pad, opts.padding_side, name);
  }
  const int64_t B = static_cast<int64_t>(rows.size());
  for (const auto& [name, col] : features.labels) {
    if (skip.count(name)) continue;
    auto t = torch::empty({B}, torch::kInt64);  // (B,)
    for (int64_t b = 0; b < B; ++b) t.data_ptr<int64_t>()[b] = col.at(rows[b]);
    batch[name] = t;
  }
  return batch;
}

}  // namespace afinar
