// The example scripts' compute_metrics as accumulators: argmax per batch, counts kept, logits
// dropped (bounded memory).
#include "afinar/metrics/compute_metrics.h"

#include "afinar/core/check.h"
#include "afinar/metrics/classification.h"
#include "afinar/metrics/seqeval.h"

namespace afinar {
namespace {

torch::Tensor cpu_long(const torch::Tensor& t) { return t.to(torch::kCPU, torch::kInt64).contiguous(); }

class AccuracyF1 : public MetricAccumulator {
 public:
  explicit AccuracyF1(int64_t n) : m_(n) {}
  void add(const EvalBatch& b) override {
    if (!b.labels.defined()) return;
    AFINAR_CHECK(b.logits.defined(), "accuracy/f1: the model returned no logits");
    const torch::Tensor pred = cpu_long(b.logits.argmax(-1)), ref = cpu_long(b.labels);
    m_.add({pred.data_ptr<int64_t>(), static_cast<size_t>(pred.numel())},
           {ref.data_ptr<int64_t>(), static_cast<size_t>(ref.numel())});
  }
  std::map<std::string, double> compute() const override {
    if (m_.count() == 0) return {};  // no labelled rows: no metric (as HF without label_ids)
    return m_.compute();
  }

 private:
  ClassificationMetrics m_;
};

// run_ner's compute_metrics: argmax per token, positions labelled -100 dropped, ids → label names.
class SeqevalAccumulator : public MetricAccumulator {
 public:
  SeqevalAccumulator(std::vector<std::string> names, bool entity_level)
      : names_(std::move(names)), entity_level_(entity_level) {}
  void add(const EvalBatch& b) override {
    if (!b.labels.defined()) return;
    AFINAR_CHECK(b.logits.dim() == 3 && b.labels.dim() == 2, "seqeval: expects (B, T, C) logits and (B, T) labels, got ",
                 b.logits.sizes(), " and ", b.labels.sizes());
    const torch::Tensor pred = cpu_long(b.logits.argmax(-1)), ref = cpu_long(b.labels);
    std::vector<std::vector<std::string>> p(pred.size(0)), r(pred.size(0));
    const auto pa = pred.accessor<int64_t, 2>(), ra = ref.accessor<int64_t, 2>();
    for (int64_t i = 0; i < pred.size(0); ++i)
      for (int64_t t = 0; t < pred.size(1); ++t) {
        if (ra[i][t] == -100) continue;
        p[i].push_back(name(pa[i][t]));
        r[i].push_back(name(ra[i][t]));
      }
    m_.add(p, r);
    seen_ = true;
  }
  std::map<std::string, double> compute() const override {
    if (!seen_) return {};
    const SeqevalResult res = m_.compute();
    if (!entity_level_)
      return {{"precision", res.overall_precision},
              {"recall", res.overall_recall},
              {"f1", res.overall_f1},
              {"accuracy", res.overall_accuracy}};
    std::map<std::string, double> out;  // "<type>_<score>" and "overall_<score>"
    for (const auto& [type, sc] : res.types) {
      out[type + "_precision"] = sc.precision;
      out[type + "_recall"] = sc.recall;
      out[type + "_f1"] = sc.f1;
      out[type + "_number"] = static_cast<double>(sc.number);
    }
    out["overall_precision"] = res.overall_precision;
    out["overall_recall"] = res.overall_recall;
    out["overall_f1"] = res.overall_f1;
    out["overall_accuracy"] = res.overall_accuracy;
    return out;
  }

 private:
  const std::string& name(int64_t id) const {
    AFINAR_CHECK(id >= 0 && id < static_cast<int64_t>(names_.size()), "seqeval: label id ", id, " has no name (",
                 names_.size(), " label names)");
    return names_[static_cast<size_t>(id)];
  }
  std::vector<std::string> names_;
  bool entity_level_;
  bool seen_ = false;
  Seqeval m_;
};

class LmAccuracy : public MetricAccumulator {
 public:
  explicit LmAccuracy(bool shift) : shift_(shift) {}
  void add(const EvalBatch& b) override {
    if (!b.labels.defined()) return;
    torch::Tensor pred = b.logits.argmax(-1), lab = b.labels.to(pred.device());  // (B, T)
    if (shift_) {
      pred = pred.slice(1, 0, pred.size(1) - 1);
      lab = lab.slice(1, 1);
    }
    const torch::Tensor keep = lab != -100;
    correct_ += (pred.eq(lab) & keep).sum().item<int64_t>();
    total_ += keep.sum().item<int64_t>();
  }
  std::map<std::string, double> compute() const override {
    if (total_ == 0) return {};
    return {{"accuracy", static_cast<double>(correct_) / static_cast<double>(total_)}};
  }

 private:
  bool shift_;
  int64_t correct_ = 0, total_ = 0;
};

}  // namespace

ComputeMetrics accuracy_f1_metrics(int64_t num_labels) {
  return [num_labels](const EvalContext&) { return std::make_unique<AccuracyF1>(num_labels); };
}

ComputeMetrics seqeval_metrics(std::vector<std::string> label_names, bool return_entity_level_metrics) {
  return [label_names, return_entity_level_metrics](const EvalContext&) {
    return std::make_unique<SeqevalAccumulator>(label_names, return_entity_level_metrics);
  };
}

ComputeMetrics lm_accuracy_metrics(bool shift) {
  return [shift](const EvalContext&) { return std::make_unique<LmAccuracy>(shift); };
}

}  // namespace afinar
