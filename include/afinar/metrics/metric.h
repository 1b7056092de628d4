/// The evaluation metrics the Trainer streams batch by batch (HF's compute_metrics over an
/// EvalPrediction, accumulated in bounded memory instead of over all logits at once).
///
///   struct Top1 : afinar::MetricAccumulator {
///     void add(const afinar::EvalBatch& b) override { … b.logits.argmax(-1) … b.labels … }
///     std::map<std::string, double> compute() const override { return {{"top1", …}}; }
///   };
///   trainer.set_compute_metrics([](const afinar::EvalContext&) { return std::make_unique<Top1>(); });
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace afinar {

/// One evaluation batch as a metric sees it (on the model's device; the metric moves what it keeps).
struct EvalBatch {
  torch::Tensor logits;        ///< (B, C) sequence heads, (B, T, C) token heads; undefined for QA
  torch::Tensor start_logits;  ///< (B, T), question answering
  torch::Tensor end_logits;    ///< (B, T), question answering
  torch::Tensor labels;        ///< (B) or (B, T), -100 = ignored; undefined when the data has none
  int64_t first_row = 0;       ///< index of the batch's first row in the evaluated data
};

class MetricAccumulator {
 public:
  virtual ~MetricAccumulator() = default;
  /// Every evaluation batch, in order. Batches without labels are passed too (a metric that
  /// needs labels skips them; question answering scores from the logits alone).
  virtual void add(const EvalBatch& batch) = 0;
  /// The metrics, named without the "eval_"/"test_" prefix the Trainer adds.
  virtual std::map<std::string, double> compute() const = 0;
};

struct Examples;

/// Which data an evaluation runs over: metrics that need more than logits and labels (question
/// answering maps features back to their examples) tell the splits apart by it.
struct EvalContext {
  const Examples* data = nullptr;  ///< the rows being evaluated
  std::string prefix;              ///< "eval" (evaluate) or "test" (predict)
};

/// Makes a fresh accumulator for each evaluation.
using ComputeMetrics = std::function<std::unique_ptr<MetricAccumulator>(const EvalContext&)>;

}  // namespace afinar
