/// The losses of every head, as transformers computes them, normalised as HF's Trainer asks:
/// by num_items_in_batch (the loss items of the whole accumulated batch) when given, else the
/// mean over this micro-batch; with HF's LabelSmoother when label_smoothing_factor > 0.
#pragma once
#include <optional>

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

}  // namespace afinar
