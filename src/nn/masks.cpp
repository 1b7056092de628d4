// Attention masks (transformers' masking_utils.py: sdpa_mask, eager_mask, sliding windows; the
// packed-sequence masks of its flash/sdpa paths for DataCollatorWithFlattening batches).
#include "afinar/nn/masks.h"

#include "afinar/core/check.h"
#include "afinar/nn/dtype.h"

namespace afinar {

torch::Tensor additive_mask(const torch::Tensor& keep, torch::ScalarType dtype) {
  return torch::zeros(keep.sizes(), keep.options().dtype(dtype)).masked_fill_(keep.logical_not(), finfo_min(dtype));
}

torch::Tensor padding_keep_mask(const torch::Tensor& attention_mask) {
  if (!attention_mask.defined()) return {};
  AFINAR_CHECK(attention_mask.dim() == 2, "attention_mask must be (batch, seq_len), got shape ",
               attention_mask.sizes());
  if (attention_mask.all().item<bool>()) return {};                  // no padding: no mask
  return attention_mask.to(torch::kBool).unsqueeze(1).unsqueeze(2);  // (B, 1, 1, T)
}

torch::Tensor causal_keep_mask(int64_t length, torch::Device device) {
  auto opts = torch::TensorOptions().dtype(torch::kBool).device(device);
  return torch::ones({length, length}, opts).tril().view({1, 1, length, length});  // (1, 1, T, T)
}

torch::Tensor padding_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype) {
  torch::Tensor keep = padding_keep_mask(attention_mask);  // (B, 1, 1, T)
  return keep.defined() ? additive_mask(keep, dtype) : keep;
}

AttentionMask make_causal_attention_mask(const torch::Tensor& attention_mask, int64_t batch, int64_t length,
                                         torch::ScalarType dtype, torch::Device device, bool eager,
                                         std::optional<int64_t> sliding_window) {
  if (attention_mask.defined())
    AFINAR_CHECK(attention_mask.dim() == 2 && attention_mask.size(0) == batch && attention_mask.size(1) == length,
                 "attention_mask must be (batch, seq_len) = (", batch, ", ", length, "), got shape ",
                 attention_mask.sizes());
  const bool padded = attention_mask.defined() && !attention_mask.to(torch::kBool).all().item<bool>();
  // _ignore_causal_mask_sdpa: a window shorter than the keys must be written into the mask.
  const bool window_active = sliding_window && length >= *sliding_window;
  if (!eager && !padded && !window_active) return {torch::Tensor(), true};

  auto opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  torch::Tensor q = torch::arange(length, opts).view({length, 1});   // (T, 1)
  torch::Tensor kv = torch::arange(length, opts).view({1, length});  // (1, T)
  torch::Tensor allowed = kv <= q;                                   // (T, T) causal
  if (sliding_window) allowed = allowed & (kv > q - *sliding_window);
  allowed = allowed.view({1, 1, length, length});
  if (attention_mask.defined())
    allowed = allowed & attention_mask.to(device).to(torch::kBool).view({batch, 1, 1, length});  // keys
  allowed = allowed.expand({batch, 1, length, length});                                          // (B, 1, T, T)
  if (!eager) return {allowed, false};
  return {additive_mask(allowed, dtype), false};
}

torch::Tensor packed_sequence_ids(const torch::Tensor& cu_seq_lens, const torch::Tensor& seq_idx, int64_t batch,
                                  int64_t length) {
  torch::Tensor ids;  // (B, N)
  if (cu_seq_lens.defined()) {
    AFINAR_CHECK(batch == 1, "cu_seq_lens: packed sequences must come as one row (1, N), got ", batch,
                 " rows (HINT: DataCollatorWithFlattening concatenates the batch into one row)");
    AFINAR_CHECK(cu_seq_lens.dim() == 1 && cu_seq_lens.size(0) >= 2 && !cu_seq_lens.is_floating_point(),
                 "cu_seq_lens must be integer offsets (R + 1) [0, …, N], got shape ", cu_seq_lens.sizes());
    torch::Tensor cu = cu_seq_lens.to(torch::kLong);
    torch::Tensor lens = cu.slice(0, 1) - cu.slice(0, 0, -1);  // (R)
    AFINAR_CHECK(cu[0].item<int64_t>() == 0 && cu[-1].item<int64_t>() == length && lens.min().item<int64_t>() >= 0,
                 "cu_seq_lens must rise from 0 to the row length ", length, ", got ", cu_seq_lens.sizes(),
                 " offsets from ", cu[0].item<int64_t>(), " to ", cu[-1].item<int64_t>());
    ids = torch::repeat_interleave(torch::arange(lens.size(0), cu.options()), lens).view({1, length});
  }
  if (seq_idx.defined()) {
    AFINAR_CHECK(
        seq_idx.dim() == 2 && seq_idx.size(0) == batch && seq_idx.size(1) == length && !seq_idx.is_floating_point(),
        "seq_idx must be integer (batch, seq_len) = (", batch, ", ", length, "), got shape ", seq_idx.sizes());
    torch::Tensor s = seq_idx.to(torch::kLong);
    if (ids.defined())
      AFINAR_CHECK(torch::equal(ids.to(s.device()), s), "seq_idx and cu_seq_lens describe different sequences");
    ids = s;
  }
  AFINAR_CHECK(ids.defined(), "packed_sequence_ids: cu_seq_lens or seq_idx is required");
  return ids;
}

torch::Tensor packed_position_ids(const torch::Tensor& sequence_ids) {
  const int64_t N = sequence_ids.size(1);
  torch::Tensor index = torch::arange(N, sequence_ids.options()).unsqueeze(0).expand_as(sequence_ids);  // (B, N)
  // A sequence starts where the id changes; each token's start is the running maximum of the starts.
  torch::Tensor starts = torch::ones_like(sequence_ids, torch::kBool);
  starts.slice(1, 1).copy_(sequence_ids.slice(1, 1) != sequence_ids.slice(1, 0, -1));
  torch::Tensor first = std::get<0>(torch::where(starts, index, torch::zeros_like(index)).cummax(1));
  return index - first;  // (B, N)
}

AttentionMask block_diagonal_mask(const torch::Tensor& sequence_ids, bool causal, torch::ScalarType dtype,
                                  bool additive, std::optional<int64_t> sliding_window,
                                  const torch::Tensor& attention_mask) {
  const int64_t B = sequence_ids.size(0), N = sequence_ids.size(1);
  torch::Tensor allowed = sequence_ids.unsqueeze(2) == sequence_ids.unsqueeze(1);  // (B, Nq, Nk)
  if (causal || sliding_window) {
    auto opts = sequence_ids.options().dtype(torch::kLong);
    torch::Tensor q = torch::arange(N, opts).view({1, N, 1}), kv = torch::arange(N, opts).view({1, 1, N});
    if (causal) allowed = allowed & (kv <= q);
    if (sliding_window) allowed = allowed & (kv > q - *sliding_window);
  }
  if (attention_mask.defined()) {
    AFINAR_CHECK(attention_mask.dim() == 2 && attention_mask.size(0) == B && attention_mask.size(1) == N,
                 "attention_mask must be (batch, seq_len) = (", B, ", ", N, "), got shape ", attention_mask.sizes());
    allowed = allowed & attention_mask.to(torch::kBool).view({B, 1, N});
  }
  allowed = allowed.unsqueeze(1);  // (B, 1, N, N)
  if (additive) return {additive_mask(allowed, dtype), false};
  return {allowed, false};
}

}  // namespace afinar
