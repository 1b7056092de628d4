// Padding-free computation (the unpad / pad of transformers' flash-attention varlen path, done
// once per forward instead of once per layer: the layers keep (N, H) throughout).
#include "afinar/nn/token_grid.h"

#include <vector>

#include "afinar/core/check.h"
#include "afinar/nn/masks.h"

namespace afinar {

namespace {

/// x's sizes with the leading `lead` dimensions replaced by `front`.
std::vector<int64_t> with_front(const torch::Tensor& x, int64_t lead, std::initializer_list<int64_t> front) {
  std::vector<int64_t> sizes(front);
  sizes.insert(sizes.end(), x.sizes().begin() + lead, x.sizes().end());
  return sizes;
}

/// zeros (count, …) with x's trailing sizes, x's rows copied to `index` (out of place: autograd
/// sends the gradient back by index_select).
torch::Tensor spread(const torch::Tensor& x, const torch::Tensor& index, int64_t count) {
  return torch::zeros(with_front(x, 1, {count}), x.options()).index_copy(0, index, x);
}

}  // namespace

TokenGrid TokenGrid::from_padding(const torch::Tensor& attention_mask) {
  TokenGrid g;
  if (!attention_mask.defined()) return g;
  AFINAR_CHECK(attention_mask.dim() == 2, "attention_mask must be (batch, seq_len), got shape ",
               attention_mask.sizes());
  torch::Tensor keep = attention_mask.to(torch::kBool);  // (B, T)
  if (keep.all().item<bool>()) return g;                 // nothing to drop
  g.active_ = true;
  g.batch_ = g.rows_ = attention_mask.size(0);
  g.length_ = g.width_ = attention_mask.size(1);
  g.keep_ = keep;
  g.tokens_ = keep.reshape({-1}).nonzero().squeeze(1);  // (N)
  g.num_tokens_ = g.tokens_.size(0);
  g.rows_mask_ = attention_mask;
  return g;
}

TokenGrid TokenGrid::from_packed(const torch::Tensor& sequence_ids, const torch::Tensor& attention_mask) {
  AFINAR_CHECK(sequence_ids.defined() && sequence_ids.dim() == 2, "sequence ids must be (batch, seq_len)");
  const int64_t B = sequence_ids.size(0), N = sequence_ids.size(1);
  TokenGrid g;
  if (N == 0) return g;
  g.active_ = true;
  g.batch_ = B;
  g.length_ = N;
  // Each token's position in its sequence (restarting at every row and every change of id); a
  // sequence's first token opens the next row of the rows layout.
  torch::Tensor position = packed_position_ids(sequence_ids.to(torch::kLong)).reshape({-1});  // (B·N)
  torch::Tensor segment = position.eq(0).to(torch::kLong).cumsum(0) - 1;                      // (B·N)
  g.rows_ = segment[-1].item<int64_t>() + 1;
  g.width_ = position.max().item<int64_t>() + 1;
  torch::Tensor slots = segment * g.width_ + position;  // (B·N)
  if (attention_mask.defined()) {
    AFINAR_CHECK(attention_mask.sizes() == sequence_ids.sizes(), "attention_mask of shape ", attention_mask.sizes(),
                 " does not match the packed rows of shape ", sequence_ids.sizes());
    torch::Tensor keep = attention_mask.to(torch::kBool);
    if (!keep.all().item<bool>()) {
      g.keep_ = keep;
      g.tokens_ = keep.reshape({-1}).nonzero().squeeze(1);
      slots = slots.index_select(0, g.tokens_);
    }
  }
  g.slots_ = slots;
  g.num_tokens_ = slots.size(0);
  g.rows_mask_ =
      torch::zeros({g.rows_ * g.width_}, segment.options()).index_fill_(0, slots, 1).view({g.rows_, g.width_});
  return g;
}

torch::Tensor TokenGrid::gather(const torch::Tensor& x) const {
  if (!active_ || !x.defined()) return x;
  torch::Tensor full = x.size(0) == 1 && batch_ > 1 ? x.expand(with_front(x, 1, {batch_})) : x;
  AFINAR_CHECK(full.dim() >= 2 && full.size(0) == batch_ && full.size(1) == length_, "padding-free: a tensor of shape ",
               x.sizes(), " does not match the batch (", batch_, ", ", length_, ")");
  torch::Tensor flat = full.reshape(with_front(full, 2, {batch_ * length_}));  // (B·T, …)
  return tokens_.defined() ? flat.index_select(0, tokens_) : flat;
}

torch::Tensor TokenGrid::scatter(const torch::Tensor& x) const {
  if (!active_ || !x.defined()) return x;
  torch::Tensor flat = tokens_.defined() ? spread(x, tokens_, batch_ * length_) : x;
  return flat.view(with_front(x, 1, {batch_, length_}));  // (B, T, …)
}

torch::Tensor TokenGrid::to_rows(const torch::Tensor& x) const {
  if (!active_) return x;
  if (!slots_.defined()) return scatter(x);  // a padded batch: the rows are the batch's
  return spread(x, slots_, rows_ * width_).view(with_front(x, 1, {rows_, width_}));  // (R, L, …)
}

torch::Tensor TokenGrid::from_rows(const torch::Tensor& x) const {
  if (!active_) return x;
  torch::Tensor flat = x.reshape(with_front(x, 2, {rows_ * width_}));  // (R·L, …)
  return flat.index_select(0, slots_.defined() ? slots_ : tokens_);    // (N, …)
}

bool TokenGrid::ignores_padding(const torch::Tensor& labels, bool shift) const {
  if (!active_ || !keep_.defined()) return true;
  if (!labels.defined() || labels.sizes() != keep_.sizes()) return false;  // the padded path reports it
  torch::Tensor target = labels;
  if (shift) target = torch::cat({labels.slice(1, 1), torch::full({labels.size(0), 1}, -100, labels.options())}, 1);
  return !target.masked_select(keep_.logical_not()).ne(-100).any().item<bool>();
}

}  // namespace afinar
