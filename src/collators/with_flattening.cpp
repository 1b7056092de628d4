#include "afinar/collators/with_flattening.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar {

namespace {
torch::Tensor row_tensor(const std::vector<int64_t>& v, torch::ScalarType dtype, bool batch_dim) {
  auto t = torch::tensor(v, torch::kInt64).to(dtype);
  return batch_dim ? t.unsqueeze(0) : t;
}
}  // namespace

Batch DataCollatorWithFlattening::operator()(const Examples& features, std::span<const int64_t> rows) const {
  auto ids_col = features.sequences.find("input_ids");
  AFINAR_CHECK(ids_col != features.sequences.end(), "DataCollatorWithFlattening: the features have no input_ids");
  AFINAR_CHECK(!rows.empty(), "DataCollatorWithFlattening: empty batch");
  auto labels_col = features.sequences.find("labels");
  const bool has_labels = labels_col != features.sequences.end();
  std::vector<int64_t> ids, labels, positions, seq_idx, cu = {0};
  int64_t max_length = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto seq = ids_col->second.at(static_cast<size_t>(rows[r]));
    const auto lab = has_labels ? labels_col->second.at(static_cast<size_t>(rows[r])) : seq;
    const auto n = static_cast<int64_t>(seq.size());
    ids.insert(ids.end(), seq.begin(), seq.end());
    // transformers: [separator_id] + labels[1:], so the first token of a row predicts nothing.
    labels.push_back(opts_.separator_id);
    if (lab.size() > 1) labels.insert(labels.end(), lab.begin() + 1, lab.end());
    for (int64_t i = 0; i < n; ++i) positions.push_back(opts_.position_ids_start + i);
    seq_idx.insert(seq_idx.end(), n, static_cast<int64_t>(r));
    cu.push_back(cu.back() + n);
    max_length = std::max(max_length, n);
  }
  Batch batch;
  batch["input_ids"] = row_tensor(ids, torch::kInt64, true);                                          // (1, N)
  batch["labels"] = row_tensor(labels, torch::kInt64, true);                                          // (1, N)
  if (opts_.return_position_ids) batch["position_ids"] = row_tensor(positions, torch::kInt64, true);  // (1, N)
  if (opts_.return_seq_idx) batch["seq_idx"] = row_tensor(seq_idx, torch::kInt32, true);              // (1, N)
  if (opts_.return_flash_attn_kwargs) {
    batch["cu_seq_lens_q"] = batch["cu_seq_lens_k"] = row_tensor(cu, torch::kInt32, false);    // (R + 1,)
    batch["max_length_q"] = batch["max_length_k"] = torch::tensor(max_length, torch::kInt64);  // ()
  }
  return batch;
}

}  // namespace afinar
