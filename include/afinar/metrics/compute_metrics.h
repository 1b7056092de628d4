/// The compute_metrics of HF's example scripts, as streamed accumulators (metric.h).
///
///   trainer.set_compute_metrics(afinar::accuracy_f1_metrics(2));                 // run_classification
///   trainer.set_compute_metrics(afinar::seqeval_metrics({"O", "B-PER", "I-PER"}));  // run_ner
///   trainer.set_compute_metrics(afinar::lm_accuracy_metrics(/*shift=*/true));      // run_clm
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "afinar/metrics/metric.h"

namespace afinar {

/// accuracy + f1 of argmax(logits), the seed notebook's compute_metrics (f1: binary for two
/// labels, macro otherwise — see metrics/classification.h). Rows labelled -100 are skipped.
ComputeMetrics accuracy_f1_metrics(int64_t num_labels);

/// run_ner's compute_metrics: seqeval over argmax(logits) per token, -100 positions dropped, ids
/// named by `label_names`. Keys: precision, recall, f1, accuracy (overall); with
/// `return_entity_level_metrics`: <TYPE>_precision/_recall/_f1/_number and overall_*.
ComputeMetrics seqeval_metrics(std::vector<std::string> label_names, bool return_entity_level_metrics = false);

/// run_mlm / run_clm's compute_metrics: token accuracy of argmax(logits) where labels != -100;
/// `shift` (causal LM): position t's prediction against label t + 1. Key: accuracy.
ComputeMetrics lm_accuracy_metrics(bool shift);

}  // namespace afinar
