// CLI flags for every TrainingArguments field, by its HF name (--learning_rate 2e-5, --do_train).
#pragma once
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "afinar/train/callbacks.h"
#include "afinar/train/training_args.h"
#include "args_file.h"

namespace afinar::cli {

/// Collects the raw values of every TrainingArguments flag given on the command line.
class TrainingFlags {
 public:
  /// Adds one option per field (except those in `skip`, which the command defines itself).
  void add_to(CLI::App* cmd, const std::vector<std::string>& skip = {});
  /// Applies an arguments file's fields, then the flags given on the command line over them, to
  /// `args` (boolean flags without a value mean true).
  void apply(TrainingArguments& args, const ArgsFileValues& from_file) const;
  /// Callbacks the script flags ask for: EarlyStoppingCallback for --early_stopping_patience N
  /// (with --early_stopping_threshold X), as HF's example scripts add it.
  std::vector<std::shared_ptr<TrainerCallback>> callbacks() const;

 private:
  std::optional<int64_t> early_stopping_patience_;
  double early_stopping_threshold_ = 0.0;
  std::string config_file_;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, CLI::Option*> options_;
};

}  // namespace afinar::cli
