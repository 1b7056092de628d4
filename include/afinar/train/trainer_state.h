/// TrainerState: what transformers writes as trainer_state.json (same keys, same layout).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace afinar {

struct TrainerState {
  double epoch = 0;
  int64_t global_step = 0;
  int64_t max_steps = 0;
  int64_t logging_steps = 500, eval_steps = 500, save_steps = 500;
  int64_t train_batch_size = 0;
  int64_t num_train_epochs = 0;
  int64_t num_input_tokens_seen = 0;
  double total_flos = 0;
  nlohmann::json log_history = nlohmann::json::array();
  std::optional<double> best_metric;
  std::optional<int64_t> best_global_step;
  std::optional<std::string> best_model_checkpoint;

  nlohmann::json to_json() const;
  /// Writes `json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"`, atomically.
  void save_to_json(const std::filesystem::path& path) const;
  /// Reads a trainer_state.json (ours or transformers'); FormatError naming the file otherwise.
  static TrainerState load_from_json(const std::filesystem::path& path);
};

}  // namespace afinar
