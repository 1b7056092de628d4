#include "afinar/metrics/classification.h"

#include <cmath>

#include "afinar/core/check.h"

namespace afinar {

ClassificationMetrics::ClassificationMetrics(int64_t num_labels) : n_(num_labels), cm_(num_labels * num_labels, 0) {
  AFINAR_CHECK(num_labels > 0, "ClassificationMetrics: num_labels must be > 0, got ", num_labels);
}

void ClassificationMetrics::add(std::span<const int64_t> pred, std::span<const int64_t> ref) {
  AFINAR_CHECK(pred.size() == ref.size(), "metrics: ", pred.size(), " predictions for ", ref.size(), " references");
  for (size_t i = 0; i < pred.size(); ++i) {
    if (ref[i] == -100) continue;
    AFINAR_CHECK(ref[i] >= 0 && ref[i] < n_, "metrics: label ", ref[i], " out of range [0, ", n_, ")");
    AFINAR_CHECK(pred[i] >= 0 && pred[i] < n_, "metrics: prediction ", pred[i], " out of range [0, ", n_, ")");
    ++cm_[ref[i] * n_ + pred[i]];
    ++total_;
  }
}

double ClassificationMetrics::accuracy() const {
  if (total_ == 0) return 0.0;
  int64_t ok = 0;
  for (int64_t c = 0; c < n_; ++c) ok += cm_[c * n_ + c];
  return static_cast<double>(ok) / static_cast<double>(total_);
}

ClassificationMetrics::PRF ClassificationMetrics::per_class(int64_t c) const {
  int64_t tp = cm_[c * n_ + c], pred = 0, ref = 0;
  for (int64_t k = 0; k < n_; ++k) {
    pred += cm_[k * n_ + c];
    ref += cm_[c * n_ + k];
  }
  double p = pred ? static_cast<double>(tp) / pred : 0.0;
  double r = ref ? static_cast<double>(tp) / ref : 0.0;
  double f = (p + r) > 0 ? 2 * p * r / (p + r) : 0.0;
  return {p, r, f};
}

ClassificationMetrics::PRF ClassificationMetrics::averaged(const std::string& average) const {
  if (average == "binary") {
    AFINAR_CHECK(n_ == 2, "average='binary' needs 2 labels, this task has ", n_,
                 "; choose one of micro, macro, weighted");
    return per_class(1);
  }
  if (average == "micro") {
    double a = accuracy();  // single-label: micro P = R = F1 = accuracy
    return {a, a, a};
  }
  AFINAR_CHECK(average == "macro" || average == "weighted", "unknown average '", average,
               "'; expected binary, micro, macro or weighted");
  PRF sum{0, 0, 0};
  double wsum = 0;
  for (int64_t c = 0; c < n_; ++c) {
    int64_t support = 0;
    for (int64_t k = 0; k < n_; ++k) support += cm_[c * n_ + k];
    double w = average == "macro" ? 1.0 : static_cast<double>(support);
    PRF x = per_class(c);
    sum.p += w * x.p;
    sum.r += w * x.r;
    sum.f += w * x.f;
    wsum += w;
  }
  if (wsum == 0) return {0, 0, 0};
  return {sum.p / wsum, sum.r / wsum, sum.f / wsum};
}

double ClassificationMetrics::precision(const std::string& average) const { return averaged(average).p; }
double ClassificationMetrics::recall(const std::string& average) const { return averaged(average).r; }
double ClassificationMetrics::f1(const std::string& average) const { return averaged(average).f; }

double ClassificationMetrics::matthews_correlation() const {
  // sklearn's multiclass MCC from the confusion matrix.
  std::vector<double> t(n_, 0), p(n_, 0);
  double c = 0, s = static_cast<double>(total_);
  for (int64_t i = 0; i < n_; ++i)
    for (int64_t j = 0; j < n_; ++j) {
      t[i] += cm_[i * n_ + j];
      p[j] += cm_[i * n_ + j];
      if (i == j) c += cm_[i * n_ + j];
    }
  double pt = 0, pp = 0, tt = 0;
  for (int64_t k = 0; k < n_; ++k) {
    pt += p[k] * t[k];
    pp += p[k] * p[k];
    tt += t[k] * t[k];
  }
  double den = std::sqrt((s * s - pp) * (s * s - tt));
  return den == 0 ? 0.0 : (c * s - pt) / den;
}

std::map<std::string, double> ClassificationMetrics::compute() const {
  return {{"accuracy", accuracy()}, {"f1", f1(n_ == 2 ? "binary" : "macro")}};
}

}  // namespace afinar
