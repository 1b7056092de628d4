#include "afinar/train/trainer_state.h"

#include "afinar/core/check.h"
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

TrainerState TrainerState::load_from_json(const std::filesystem::path& path) {
  TrainerState s;
  try {
    auto j = nlohmann::json::parse(read_file(path));
    s.epoch = j.at("epoch").get<double>();
    s.global_step = j.at("global_step").get<int64_t>();
    s.max_steps = j.value("max_steps", int64_t{0});
    s.logging_steps = j.value("logging_steps", int64_t{500});
    s.eval_steps = j.value("eval_steps", int64_t{500});
    s.save_steps = j.value("save_steps", int64_t{500});
    s.train_batch_size = j.value("train_batch_size", int64_t{0});
    s.num_train_epochs = j.value("num_train_epochs", int64_t{0});
    s.total_flos = j.value("total_flos", 0.0);
    s.log_history = j.value("log_history", nlohmann::json::array());
    if (j.contains("best_metric") && !j["best_metric"].is_null()) s.best_metric = j["best_metric"].get<double>();
    if (j.contains("best_global_step") && !j["best_global_step"].is_null())
      s.best_global_step = j["best_global_step"].get<int64_t>();
    if (j.contains("best_model_checkpoint") && !j["best_model_checkpoint"].is_null())
      s.best_model_checkpoint = j["best_model_checkpoint"].get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(detail::concat(path.string(), ": not a trainer_state.json: ", e.what()));
  }
  return s;
}

}  // namespace afinar
