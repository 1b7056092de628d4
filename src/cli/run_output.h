// Helpers shared by the train and predict commands: metric printing and results files.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace afinar::cli {

/// transformers' Trainer.log_metrics: "***** <split> metrics *****" then "  key = value" rows.
void log_metrics(const std::string& split, const std::map<std::string, double>& metrics);

/// Writes <dir>/<split>_results.json and merges the metrics into <dir>/all_results.json
/// (transformers' Trainer.save_metrics), atomically.
void save_metrics(const std::filesystem::path& dir, const std::string& split, const std::map<std::string, double>& metrics);

}  // namespace afinar::cli
