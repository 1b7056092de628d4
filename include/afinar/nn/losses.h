/// The losses of every head, as transformers computes them, normalised as HF's Trainer asks:
/// by num_items_in_batch (the loss items of the whole accumulated batch) when given, else the
/// mean over this micro-batch; with HF's LabelSmoother when label_smoothing_factor > 0.
///
///   afinar::LossKwargs kw;  kw.num_items_in_batch = 57;  kw.label_smoothing_factor = 0.1;
///   torch::Tensor loss = afinar::causal_lm_loss(logits, labels, kw);   // logits (B, T, V), labels (B, T)
#pragma once
#include <torch/torch.h>

#include <optional>
#include <string>

namespace afinar {

/// transformers' loss kwargs: what the Trainer tells a head about normalisation.
struct LossKwargs {
  /// Loss items (see PreTrainedModelImpl::num_loss_items) of the whole accumulated batch: the
  /// head returns sum over this micro-batch / num_items_in_batch, so that the gradients of the
  /// micro-batches add up to those of one big batch. Unset: the mean over this micro-batch.
  std::optional<double> num_items_in_batch;
  /// HF's LabelSmoother epsilon for heads with class or token labels; 0 = off.
  double label_smoothing_factor = 0;
};

/// Cross entropy of logits (N, C) against class ids (N), `ignore_index` ignored:
///  - no kwargs: the mean over the targets kept (F.cross_entropy);
///  - num_items_in_batch n: their sum / n (transformers' fixed_cross_entropy);
///  - label_smoothing_factor ε > 0: transformers' LabelSmoother, (1 − ε)·Σ nll / n + ε·Σ_t mean_c(−log p_c) / n
///    over the targets kept, n = num_items_in_batch or their count.
torch::Tensor fixed_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets, const LossKwargs& kw = {},
                                  int64_t ignore_index = -100);

/// Token classification, masked LM and seq2seq LM (ForTokenClassification / ForMaskedLMLoss):
/// cross_entropy_loss over every position. logits (…, C), labels (…) class ids, -100 ignored.
torch::Tensor token_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                        const LossKwargs& kw = {});

/// transformers' ForCausalLMLoss: labels (B, T) shifted left inside (position t predicts
/// labels[t + 1]; the last position predicts nothing), -100 ignored, logits (B, T, V) in float32;
/// with label smoothing, LabelSmoother(shift_labels=True).
torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& labels, const LossKwargs& kw = {});

/// The problem_type transformers picks when the config has none: num_labels == 1 → regression;
/// integer labels → single_label_classification; otherwise multi_label_classification.
std::string infer_problem_type(int64_t num_labels, const torch::Tensor& labels);

/// A sequence-classification head's loss, as transformers: regression → MSE,
/// single_label_classification → cross_entropy_loss (labels -100 ignored, label smoothing as
/// LabelSmoother), multi_label_classification → BCE with logits. logits (B, C). With
/// num_items_in_batch n: regression and multi-label sum over all B·C elements / (n·C) (n = rows:
/// the mean when n = B). Label smoothing on regression or multi-label → InvalidArgument naming `head`.
torch::Tensor sequence_classification_loss(const torch::Tensor& logits, const torch::Tensor& labels,
                                           const std::string& problem_type, const LossKwargs& kw = {},
                                           const std::string& head = "sequence classification");

/// A question-answering head's loss, as transformers: positions clamped to [0, T], T ignored (an
/// answer outside the sequence); the mean of the start and end cross entropies, or with
/// num_items_in_batch n (rows) (Σ CE_start + Σ CE_end) / (2n). start/end_logits (B, T);
/// positions (B) or (B, 1). Label smoothing → InvalidArgument naming `head`.
torch::Tensor question_answering_loss(const torch::Tensor& start_logits, const torch::Tensor& end_logits,
                                      torch::Tensor start_positions, torch::Tensor end_positions,
                                      const LossKwargs& kw = {}, const std::string& head = "question answering");

}  // namespace afinar
