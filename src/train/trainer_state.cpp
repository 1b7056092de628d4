#include "afinar/train/trainer_state.h"

#include "afinar/core/fs.h"

namespace afinar {

nlohmann::json TrainerState::to_json() const {
  using json = nlohmann::json;
  auto opt = [](const auto& o) { return o ? json(*o) : json(nullptr); };
  // nlohmann's default object is a sorted map: keys come out sorted, as sort_keys=True.
  return json{{"epoch", epoch},
              {"global_step", global_step},
              {"max_steps", max_steps},
              {"logging_steps", logging_steps},
              {"eval_steps", eval_steps},
              {"save_steps", save_steps},
              {"train_batch_size", train_batch_size},
              {"num_train_epochs", num_train_epochs},
              {"num_input_tokens_seen", num_input_tokens_seen},
              {"total_flos", total_flos},
              {"log_history", log_history},
              {"best_metric", opt(best_metric)},
              {"best_global_step", opt(best_global_step)},
              {"best_model_checkpoint", opt(best_model_checkpoint)},
              {"is_local_process_zero", true},
              {"is_world_process_zero", true},
              {"is_hyper_param_search", false},
              {"trial_name", nullptr},
              {"trial_params", nullptr},
              {"stateful_callbacks",
               {{"TrainerControl",
                 {{"args",
                   {{"should_epoch_stop", false},
                    {"should_evaluate", false},
                    {"should_log", false},
                    {"should_save", false},
                    {"should_training_stop", global_step >= max_steps}}},
                  {"attributes", json::object()}}}}}};
}

void TrainerState::save_to_json(const std::filesystem::path& path) const {
  write_file_atomic(path, to_json().dump(2) + "\n");
}

}  // namespace afinar
