#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "afinar/train/callbacks.h"
#include "afinar/train/training_args.h"

namespace afinar {

ProgressCallback::ProgressCallback(std::ostream& out, bool is_terminal) : out_(out), tty_(is_terminal) {}

std::string ProgressCallback::format_time(double seconds) {
  const int64_t t = static_cast<int64_t>(seconds);
  const int64_t h = t / 3600, m = (t / 60) % 60, s = t % 60;
  char buf[32];
  if (h != 0) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)h, (long long)m, (long long)s);
  else std::snprintf(buf, sizeof buf, "%02lld:%02lld", (long long)m, (long long)s);
  return buf;
}

std::string ProgressCallback::progress_line(int64_t step, int64_t total, double elapsed, double epoch, int64_t epochs) {
  std::ostringstream os;
  os << "[" << step << "/" << total << " " << format_time(elapsed);
  if (step > 0 && step < total) os << " < " << format_time(elapsed / step * (total - step));
  // HF's notebook shows the epoch being worked on, 1-based, capped at the last one.
  const int64_t e = std::min<int64_t>(epochs, static_cast<int64_t>(std::floor(epoch)) + (step < total ? 1 : 0));
  os << ", Epoch " << std::max<int64_t>(e, 1) << "/" << epochs << "]";
  return os.str();
}

void ProgressCallback::on_train_begin(const TrainingArguments&, const TrainerState& s, TrainerControl&) {
  start_ = last_print_ = std::chrono::steady_clock::now();
  epochs_ = std::max<int64_t>(1, s.num_train_epochs);
}

void ProgressCallback::print_line(const TrainerState& s, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = progress_line(s.global_step, s.max_steps, elapsed, s.epoch, epochs_);
  if (tty_) out_ << "\r" << line << (final ? "\n" : "") << std::flush;
  else out_ << line << "\n" << std::flush;
}

void ProgressCallback::on_step_end(const TrainingArguments&, const TrainerState& s, TrainerControl&) {
  flush_rows(s.global_step);
  // Redraw on a terminal at most 10 times a second; elsewhere a line every ~10 s keeps logs short.
  auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (s.global_step == s.max_steps) return;  // on_train_end prints the final line
  if ((tty_ && since >= 0.1) || (!tty_ && since >= 10.0)) {
    last_print_ = now;
    print_line(s, false);
  }
}

// Rows are printed once the step that made them is over (its log and its evaluation both in).
void ProgressCallback::flush_rows(int64_t before_step) {
  while (!rows_.empty() && rows_.begin()->first < before_step) {
    if (tty_) out_ << "\n";
    table_row(rows_.begin()->first);
    rows_.erase(rows_.begin());
  }
}

void ProgressCallback::table_row(int64_t step) {
  const auto& row = rows_[step];
  auto cell = [&](const std::string& k) -> std::string {
    auto it = row.find(k);
    if (it == row.end()) return "No log";
    std::ostringstream os;
    os << std::fixed << std::setprecision(6) << it->second;
    return os.str();
  };
  if (!header_done_) {
    out_ << (tty_ ? "\n" : "") << std::left << std::setw(8) << "Step" << std::setw(16) << "Training Loss" << std::setw(18)
         << "Validation Loss";
    for (const auto& m : metric_names_) out_ << std::setw(12) << m;
    out_ << "\n";
    header_done_ = true;
  }
  out_ << std::left << std::setw(8) << step << std::setw(16) << cell("loss") << std::setw(18) << cell("eval_loss");
  for (const auto& m : metric_names_) out_ << std::setw(12) << cell("eval_" + m);
  out_ << "\n" << std::flush;
}

void ProgressCallback::on_log(const TrainingArguments&, const TrainerState& s, TrainerControl&, const Metrics& logs) {
  if (logs.count("loss")) rows_[s.global_step]["loss"] = logs.at("loss");
}

void ProgressCallback::on_evaluate(const TrainingArguments&, const TrainerState& s, TrainerControl&, const Metrics& m) {
  if (metric_names_.empty() && !header_done_) {
    for (const auto& [k, v] : m) {
      if (k.rfind("eval_", 0) != 0) continue;
      std::string name = k.substr(5);
      if (name == "loss" || name == "runtime" || name == "samples_per_second" || name == "steps_per_second") continue;
      metric_names_.push_back(name);
    }
  }
  for (const auto& [k, v] : m) rows_[s.global_step][k] = v;
}

void ProgressCallback::on_train_end(const TrainingArguments&, const TrainerState& s, TrainerControl&) {
  print_line(s, true);
  flush_rows(s.global_step + 1);
}

}  // namespace afinar
