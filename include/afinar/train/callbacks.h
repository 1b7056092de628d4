/// Trainer callbacks: hooks the training loop calls at fixed points (transformers' TrainerCallback).
/// Integrations (progress display, logging sinks) live here, not in the loop.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "afinar/train/trainer_state.h"

namespace afinar {

struct TrainingArguments;

/// transformers' TrainerControl: flags a callback sets to steer the loop. The Trainer reads them
/// after on_step_end / on_epoch_end / on_evaluate and resets the per-step ones once acted upon.
struct TrainerControl {
  bool should_training_stop = false;  ///< stop after this step (EarlyStoppingCallback sets it)
  bool should_epoch_stop = false;     ///< end the current epoch after this step
  bool should_save = false;           ///< save a checkpoint after this step
  bool should_evaluate = false;       ///< evaluate after this step
  bool should_log = false;            ///< log the running loss after this step
};

/// Hooks with transformers' names, called in transformers' order. Every hook gets the arguments,
/// the state and the control; on_log / on_evaluate / on_predict also get the values.
///
///   struct StopAt100 : afinar::TrainerCallback {
///     void on_step_end(const TrainingArguments&, const TrainerState& s, TrainerControl& c) override {
///       if (s.global_step == 100) c.should_training_stop = true;
///     }
///   };
class TrainerCallback {
 public:
  using Metrics = std::map<std::string, double>;
  virtual ~TrainerCallback() = default;
  virtual void on_init_end(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  virtual void on_train_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  virtual void on_epoch_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  /// At the start of each optimizer step (before its first micro-batch).
  virtual void on_step_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  /// After each optimizer step (global_step already incremented).
  virtual void on_step_end(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  virtual void on_epoch_end(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  virtual void on_log(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& logs) {}
  virtual void on_evaluate(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& metrics) {}
  virtual void on_save(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
  virtual void on_predict(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& metrics) {}
  virtual void on_train_end(const TrainingArguments&, const TrainerState&, TrainerControl&) {}
};

/// transformers' EarlyStoppingCallback: stops training when metric_for_best_model has not
/// improved by more than `early_stopping_threshold` for `early_stopping_patience` evaluations.
/// Requires load_best_model_at_end, metric_for_best_model and an eval strategy (checked at
/// on_train_begin, as HF asserts).
///
///   trainer.add_callback(std::make_shared<afinar::EarlyStoppingCallback>(3, 0.0));
class EarlyStoppingCallback : public TrainerCallback {
 public:
  explicit EarlyStoppingCallback(int64_t early_stopping_patience = 1, double early_stopping_threshold = 0.0);
  void on_train_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) override;
  void on_evaluate(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& metrics) override;
  int64_t patience_counter() const { return counter_; }

 private:
  int64_t patience_;
  double threshold_;
  int64_t counter_ = 0;
};

/// Every on_log entry as a row of a CSV file (report_to "csv", afinar's own sink): columns
/// step, epoch, then every key seen so far (sorted); the file is rewritten atomically on each log
/// so a new column never leaves earlier rows misaligned.
///
///   trainer.add_callback(std::make_shared<afinar::CSVLoggerCallback>("out/log_history.csv"));
class CSVLoggerCallback : public TrainerCallback {
 public:
  explicit CSVLoggerCallback(std::filesystem::path path);
  void on_log(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& logs) override;

 private:
  std::filesystem::path path_;
  std::vector<std::pair<int64_t, Metrics>> rows_;
};

/// report_to "tensorboard": TensorBoard event files written directly (no TensorFlow): TFRecord
/// framing with masked CRC-32C, Event/Summary protobufs with scalar simple_value, tags as
/// transformers' TensorBoardCallback names them (train/loss, train/learning_rate, eval/loss, …).
/// The folder is $TENSORBOARD_LOGGING_DIR, else output_dir/runs/<Mon DD_HH-MM-SS>_<host> (HF's).
///
///   trainer.add_callback(std::make_shared<afinar::TensorBoardCallback>());
class TensorBoardCallback : public TrainerCallback {
 public:
  /// `log_dir` empty: chosen at on_train_begin as above.
  explicit TensorBoardCallback(std::filesystem::path log_dir = {});
  ~TensorBoardCallback() override;
  void on_train_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) override;
  void on_log(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& logs) override;
  void on_train_end(const TrainingArguments&, const TrainerState&, TrainerControl&) override;
  /// The event file being written (empty before on_train_begin).
  const std::filesystem::path& event_file() const { return file_; }

  /// CRC-32C (Castagnoli) and TFRecord's mask of it.
  static uint32_t crc32c(const void* data, size_t n);
  static uint32_t masked_crc32c(const void* data, size_t n);
  /// One Event protobuf: wall_time, step and a Summary of scalar values (tag → simple_value).
  static std::string scalar_event(double wall_time, int64_t step, const std::vector<std::pair<std::string, float>>& values);
  /// A TFRecord: length, masked CRC of the length, data, masked CRC of the data.
  static std::string tfrecord(const std::string& data);

 private:
  void write(const std::string& event);
  std::filesystem::path dir_, file_;
  std::unique_ptr<std::ofstream> out_;
};

/// The seed's progress display: `[step/total elapsed < remaining, Epoch e/E]`, redrawn in place on
/// a terminal and printed as lines otherwise, and the loss table
/// `Step | Training Loss | Validation Loss | <metrics>` with a row per logging/eval step.
class ProgressCallback : public TrainerCallback {
 public:
  explicit ProgressCallback(std::ostream& out, bool is_terminal);
  void on_train_begin(const TrainingArguments&, const TrainerState&, TrainerControl&) override;
  void on_step_end(const TrainingArguments&, const TrainerState&, TrainerControl&) override;
  void on_log(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& logs) override;
  void on_evaluate(const TrainingArguments&, const TrainerState&, TrainerControl&, const Metrics& metrics) override;
  void on_train_end(const TrainingArguments&, const TrainerState&, TrainerControl&) override;

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
