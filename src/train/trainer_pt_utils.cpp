#include "afinar/train/trainer_pt_utils.h"

#include <algorithm>

#include "afinar/core/check.h"

namespace afinar {

torch::Tensor label_smoother(torch::Tensor logits, torch::Tensor labels, double epsilon, bool shift_labels,
                             std::optional<double> num_items_in_batch) {
  AFINAR_CHECK(logits.dim() == labels.dim() + 1, "label_smoother: logits ", logits.sizes(), " do not match labels ",
               labels.sizes());
  if (shift_labels) {  // (B, T, C) → predict position t+1 from t
    logits = logits.narrow(-2, 0, logits.size(-2) - 1).contiguous();
    labels = labels.narrow(-1, 1, labels.size(-1) - 1).contiguous();
  }
  auto log_probs = -torch::log_softmax(logits, -1);  // (..., C)
  auto lab = labels.unsqueeze(-1);                   // (..., 1)
  auto padding_mask = lab.eq(-100);
  auto nll = log_probs.gather(-1, lab.clamp_min(0));  // (..., 1)
  auto smoothed = log_probs.sum(-1, /*keepdim=*/true, torch::kFloat32);
  nll = nll.masked_fill(padding_mask, 0.0);
  smoothed = smoothed.masked_fill(padding_mask, 0.0);
  torch::Tensor denom = num_items_in_batch
                            ? torch::tensor(*num_items_in_batch, log_probs.options())
                            : (padding_mask.numel() - padding_mask.to(torch::kLong).sum()).to(log_probs.options());
  auto nll_loss = nll.sum() / denom;
  auto smoothed_loss = smoothed.sum() / (denom * static_cast<double>(log_probs.size(-1)));
  return (1 - epsilon) * nll_loss + epsilon * smoothed_loss;
}

std::vector<int64_t> get_length_grouped_indices(const std::vector<int64_t>& lengths, int64_t batch_size,
                                                at::Generator generator, std::optional<int64_t> mega_batch_mult) {
  AFINAR_CHECK(batch_size > 0, "get_length_grouped_indices: batch_size must be > 0");
  const int64_t n = static_cast<int64_t>(lengths.size());
  int64_t mult = mega_batch_mult.value_or(std::min<int64_t>(n / (batch_size * 4), 50));
  if (mult == 0) mult = 1;
  auto perm = torch::randperm(n, generator, torch::kInt64);
  const int64_t* p = perm.data_ptr<int64_t>();
  const int64_t mb = mult * batch_size;
  std::vector<std::vector<int64_t>> megabatches;
  for (int64_t i = 0; i < n; i += mb) {
    std::vector<int64_t> m(p + i, p + std::min(n, i + mb));
    // Python's sorted(..., reverse=True) is stable: equal lengths keep their order.
    std::stable_sort(m.begin(), m.end(), [&](int64_t a, int64_t b) { return lengths[a] > lengths[b]; });
    megabatches.push_back(std::move(m));
  }
  if (megabatches.empty()) return {};
  // torch.argmax: the first maximum.
  size_t max_idx = 0;
  for (size_t i = 1; i < megabatches.size(); ++i)
    if (lengths[megabatches[i][0]] > lengths[megabatches[max_idx][0]]) max_idx = i;
  std::swap(megabatches[0][0], megabatches[max_idx][0]);
  std::vector<int64_t> out;
  out.reserve(n);
  for (const auto& m : megabatches) out.insert(out.end(), m.begin(), m.end());
  return out;
}

torch::Tensor pad_and_concatenate(const std::vector<torch::Tensor>& parts, double padding_index) {
  AFINAR_CHECK(!parts.empty(), "pad_and_concatenate: no tensors");
  if (parts[0].dim() < 2) return torch::cat(parts);
  int64_t max_t = 0, rows = 0;
  for (const auto& p : parts) {
    AFINAR_CHECK(p.dim() == parts[0].dim(), "pad_and_concatenate: tensors of rank ", p.dim(), " and ", parts[0].dim());
    max_t = std::max(max_t, p.size(1));
    rows += p.size(0);
  }
  auto shape = parts[0].sizes().vec();
  shape[0] = rows;
  shape[1] = max_t;
  auto out = torch::full(shape, padding_index, parts[0].options());
  int64_t r = 0;
  for (const auto& p : parts) {
    out.narrow(0, r, p.size(0)).narrow(1, 0, p.size(1)).copy_(p);
    r += p.size(0);
  }
  return out;
}

}  // namespace afinar
