#include "training_flags.h"

#include <algorithm>

namespace afinar::cli {

void TrainingFlags::add_to(CLI::App* cmd, const std::vector<std::string>& skip) {
  for (const auto& name : TrainingArguments::field_names()) {
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    options_[name] =
        cmd->add_option("--" + name, values_[name], "TrainingArguments." + name)->expected(0, 1)->group("TrainingArguments");
  }
  cmd->add_option("--early_stopping_patience", early_stopping_patience_,
                  "EarlyStoppingCallback: stop after N evaluations without improvement of metric_for_best_model")
      ->group("Callbacks");
  cmd->add_option("--early_stopping_threshold", early_stopping_threshold_,
                  "EarlyStoppingCallback: how much metric_for_best_model must improve to count")
      ->group("Callbacks");
}

std::vector<std::shared_ptr<TrainerCallback>> TrainingFlags::callbacks() const {
  std::vector<std::shared_ptr<TrainerCallback>> out;
  if (early_stopping_patience_)
    out.push_back(std::make_shared<EarlyStoppingCallback>(*early_stopping_patience_, early_stopping_threshold_));
  return out;
}

void TrainingFlags::apply(TrainingArguments& args) const {
  for (const auto& [name, opt] : options_) {
    if (opt->count() == 0) continue;
    const auto& v = values_.at(name);
    args.set(name, v.empty() || v.back().empty() ? "true" : v.back());  // a bare flag means true
  }
}

}  // namespace afinar::cli
