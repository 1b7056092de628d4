/// Trainer callbacks: hooks the training loop calls at fixed points (transformers' TrainerCallback).
/// Integrations (progress display, logging sinks) live here, not in the loop.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "afinar/train/trainer_state.h"

namespace afinar {

struct TrainingArguments;

class TrainerCallback {
 public:
  virtual ~TrainerCallback() = default;
  virtual void on_train_begin(const TrainingArguments&, const TrainerState&) {}
  virtual void on_epoch_begin(const TrainingArguments&, const TrainerState&) {}
  virtual void on_step_end(const TrainingArguments&, const TrainerState&) {}
  virtual void on_epoch_end(const TrainingArguments&, const TrainerState&) {}
  virtual void on_log(const TrainingArguments&, const TrainerState&, const std::map<std::string, double>& logs) {}
  virtual void on_evaluate(const TrainingArguments&, const TrainerState&, const std::map<std::string, double>& metrics) {}
  virtual void on_save(const TrainingArguments&, const TrainerState&) {}
  virtual void on_train_end(const TrainingArguments&, const TrainerState&) {}
};

/// The seed's progress display: `[step/total elapsed < remaining, Epoch e/E]`, redrawn in place on
/// a terminal and printed as lines otherwise, and the loss table
/// `Step | Training Loss | Validation Loss | <metrics>` with a row per logging/eval step.
class ProgressCallback : public TrainerCallback {
 public:
  explicit ProgressCallback(std::ostream& out, bool is_terminal);
  void on_train_begin(const TrainingArguments&, const TrainerState&) override;
  void on_step_end(const TrainingArguments&, const TrainerState&) override;
  void on_log(const TrainingArguments&, const TrainerState&, const std::map<std::string, double>& logs) override;
  void on_evaluate(const TrainingArguments&, const TrainerState&, const std::map<std::string, double>& metrics) override;
  void on_train_end(const TrainingArguments&, const TrainerState&) override;

  /// "1:50:14" or "05:03" (transformers' notebook format_time).
  static std::string format_time(double seconds);
  /// `[step/total elapsed < remaining, Epoch e/E]`.
  static std::string progress_line(int64_t step, int64_t total, double elapsed, double epoch, int64_t epochs);

 private:
  void print_line(const TrainerState& s, bool final);
  void table_row(int64_t step);
  void flush_rows(int64_t before_step);
  std::ostream& out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  int64_t epochs_ = 1;
  bool header_done_ = false;
  std::vector<std::string> metric_names_;
  std::map<int64_t, std::map<std::string, double>> rows_;  ///< step → values of that row
};

}  // namespace afinar
