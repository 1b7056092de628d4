// The heads' losses (transformers' loss/loss_utils.py and the heads' forward), with the Trainer's
// normalisation (num_items_in_batch) and trainer_pt_utils.LabelSmoother.
#include "afinar/nn/losses.h"

#include "afinar/core/check.h"

namespace afinar {

namespace F = torch::nn::functional;

namespace {

void check_smoothing(const LossKwargs& kw) {
  AFINAR_CHECK(kw.label_smoothing_factor >= 0.0 && kw.label_smoothing_factor <= 1.0,
               "label_smoothing_factor must be in [0, 1], got ", kw.label_smoothing_factor);
  AFINAR_CHECK(!kw.num_items_in_batch || *kw.num_items_in_batch > 0, "num_items_in_batch must be positive, got ",
               kw.num_items_in_batch.value_or(0));
}

/// LabelSmoother on logits (N, C) and targets (N), operation by operation as trainer_pt_utils.
torch::Tensor label_smoothed(const torch::Tensor& logits, const torch::Tensor& targets, const LossKwargs& kw,
                             int64_t ignore_index) {
  const double eps = kw.label_smoothing_factor;
  torch::Tensor log_probs = -torch::log_softmax(logits, -1);  // (N, C)
  torch::Tensor labels = targets.unsqueeze(-1);               // (N, 1)
  torch::Tensor padding = labels.eq(ignore_index);
  torch::Tensor nll = log_probs.gather(-1, labels.clamp_min(0));                // (N, 1)
  torch::Tensor smoothed = log_probs.sum(-1, /*keepdim=*/true, torch::kFloat);  // (N, 1)
  nll.masked_fill_(padding, 0.0);
  smoothed.masked_fill_(padding, 0.0);
  const int64_t C = log_probs.size(-1);
  if (kw.num_items_in_batch) {  // the count of the whole accumulated batch
    const double n = *kw.num_items_in_batch;
    return (1 - eps) * (nll.sum() / n) + eps * (smoothed.sum() / (n * static_cast<double>(C)));
  }
  torch::Tensor active = padding.numel() - padding.to(torch::kLong).sum();  // the targets kept
  return (1 - eps) * (nll.sum() / active) + eps * (smoothed.sum() / (active * C));
}

void refuse_smoothing(const LossKwargs& kw, const std::string& head, const std::string& what) {
  AFINAR_CHECK(kw.label_smoothing_factor == 0.0, head, ": label_smoothing_factor ", kw.label_smoothing_factor,
               " cannot apply to ", what,
               ": label smoothing spreads probability over classes, and transformers' LabelSmoother assumes "
               "one class id per item (HINT: set label_smoothing_factor to 0 for this head)");
}

}  // namespace

torch::Tensor fixed_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets, const LossKwargs& kw,
                                  int64_t ignore_index) {
  check_smoothing(kw);
  AFINAR_CHECK(logits.dim() == 2 && targets.dim() == 1 && targets.size(0) == logits.size(0),
               "cross_entropy_loss: logits (N, C) and targets (N), got ", logits.sizes(), " and ", targets.sizes());
  if (kw.label_smoothing_factor > 0) return label_smoothed(logits, targets, kw, ignore_index);
  auto opts = F::CrossEntropyFuncOptions().ignore_index(ignore_index);
  if (!kw.num_items_in_batch) return F::cross_entropy(logits, targets, opts);
  return F::cross_entropy(logits, targets, opts.reduction(torch::kSum)) / *kw.num_items_in_batch;
}

torch::Tensor token_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                        const LossKwargs& kw) {
  AFINAR_CHECK(!labels.is_floating_point(), "token classification needs integer labels, got ", labels.scalar_type());
  AFINAR_CHECK(labels.numel() * logits.size(-1) == logits.numel(), "labels of shape ", labels.sizes(),
               " do not match logits of shape ", logits.sizes(), " (HINT: one label per token, -100 = ignored)");
  const int64_t n = logits.size(-1);
  return fixed_cross_entropy(logits.reshape({-1, n}), labels.reshape({-1}).to(torch::kLong), kw);
}

torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels, const LossKwargs& kw) {
  AFINAR_CHECK(!labels.is_floating_point(), "causal LM labels must be token ids, got ", labels.scalar_type());
  AFINAR_CHECK(
      labels.dim() == 2 && logits.dim() == 3 && labels.size(0) == logits.size(0) && labels.size(1) == logits.size(1),
      "causal LM labels of shape ", labels.sizes(), " do not match logits of shape ", logits.sizes(),
      " (HINT: labels = input_ids with -100 at ignored positions; the shift happens inside)");
  const int64_t V = logits.size(-1);
  if (kw.label_smoothing_factor > 0) {  // LabelSmoother(shift_labels=True): drop the last position
    torch::Tensor l = logits.slice(1, 0, -1).contiguous(), t = labels.slice(1, 1).to(torch::kLong).contiguous();
    return fixed_cross_entropy(l.reshape({-1, V}), t.reshape({-1}), kw);
  }
  // Pad with -100 and drop the first label: position t predicts labels[t + 1].
  torch::Tensor shifted = F::pad(labels.to(torch::kLong), F::PadFuncOptions({0, 1}).value(-100)).slice(1, 1);
  return fixed_cross_entropy(logits.to(torch::kFloat).reshape({-1, V}), shifted.reshape({-1}), kw);
}

std::string infer_problem_type(int64_t num_labels, const torch::Tensor& labels) {
  if (num_labels == 1) return "regression";
  if (labels.scalar_type() == torch::kLong || labels.scalar_type() == torch::kInt) return "single_label_classification";
  return "multi_label_classification";
}

torch::Tensor sequence_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                           const std::string& problem_type, const LossKwargs& kw,
                                           const std::string& head) {
  check_smoothing(kw);
  const int64_t n = logits.size(-1);
  // Regression and multi-label: every element is an output; n items × n outputs.
  auto per_element = [&](const torch::Tensor& sum) { return sum / (*kw.num_items_in_batch * static_cast<double>(n)); };
  if (problem_type == "regression") {
    refuse_smoothing(kw, head, "regression (problem_type regression, an MSE loss)");
    torch::Tensor target = labels.to(logits.scalar_type());
    torch::Tensor x = n == 1 ? logits.squeeze() : logits, y = n == 1 ? target.squeeze() : target;
    if (!kw.num_items_in_batch) return torch::mse_loss(x, y);
    return per_element(torch::mse_loss(x, y, at::Reduction::Sum));
  }
  if (problem_type == "single_label_classification") {
    AFINAR_CHECK(!labels.is_floating_point(), "single_label_classification needs integer labels, got ",
                 labels.scalar_type());
    return fixed_cross_entropy(logits.view({-1, n}), labels.view({-1}).to(torch::kLong), kw);
  }
  if (problem_type == "multi_label_classification") {
    refuse_smoothing(kw, head, "multi_label_classification (independent 0/1 labels, a BCE loss)");
    AFINAR_CHECK(labels.sizes() == logits.sizes(), "multi_label_classification needs labels of shape ", logits.sizes(),
                 " (one 0/1 column per label), got ", labels.sizes());
    torch::Tensor target = labels.to(logits.scalar_type());
    if (!kw.num_items_in_batch) return F::binary_cross_entropy_with_logits(logits, target);
    return per_element(F::binary_cross_entropy_with_logits(
        logits, target, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum)));
  }
  throw InvalidArgument(detail::concat("unknown problem_type '", problem_type,
                                       "' (regression, single_label_classification, multi_label_classification)"));
}

torch::Tensor question_answering_loss(const torch::Tensor& start_logits, const torch::Tensor& end_logits,
                                      torch::Tensor start_positions, torch::Tensor end_positions, const LossKwargs& kw,
                                      const std::string& head) {
  check_smoothing(kw);
  refuse_smoothing(kw, head, "question answering (start/end positions over the tokens, not classes)");
  if (start_positions.dim() > 1) start_positions = start_positions.squeeze(-1);  // (B, 1) → (B)
  if (end_positions.dim() > 1) end_positions = end_positions.squeeze(-1);
  const int64_t ignored = start_logits.size(1);  // T: answers outside the sequence
  auto opts = F::CrossEntropyFuncOptions().ignore_index(ignored);
  if (kw.num_items_in_batch) opts.reduction(torch::kSum);
  auto ce = [&](const torch::Tensor& logits, const torch::Tensor& pos) {
    return F::cross_entropy(logits, pos.to(torch::kLong).clamp(0, ignored), opts);
  };
  torch::Tensor both = ce(start_logits, start_positions) + ce(end_logits, end_positions);
  return kw.num_items_in_batch ? both / (2.0 * *kw.num_items_in_batch) : both / 2;
}

}  // namespace afinar
