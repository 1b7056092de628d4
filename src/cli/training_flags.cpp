#include "training_flags.h"

#include <algorithm>

#include "afinar/core/check.h"
#include "args_file.h"

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
  // Read by expand_args_file before CLI11 parses; listed here for --help.
  cmd->add_option("--config", config_file_,
                  "Arguments file (.json, e.g. Python's TrainingArguments.to_json_string(), or .yaml): every flag "
                  "by its name; the command line wins. Also `afinar train FILE`.");
}

std::vector<std::shared_ptr<TrainerCallback>> TrainingFlags::callbacks() const {
  std::vector<std::shared_ptr<TrainerCallback>> out;
  if (early_stopping_patience_)
    out.push_back(std::make_shared<EarlyStoppingCallback>(*early_stopping_patience_, early_stopping_threshold_));
  return out;
}

void TrainingFlags::apply(TrainingArguments& args, const ArgsFileValues& from_file) const {
  // An arguments file first (values keep their JSON types), then the command line over it.
  for (const auto& [name, value] : from_file.training_args.items()) {
    try {
      if (name == "output_dir") {
        if (!value.is_null()) args.output_dir = value.get<std::string>();
      } else {
        args.set_json(name, value);
      }
    } catch (const nlohmann::json::exception&) {
      throw InvalidArgument(detail::concat(from_file.file, ": '", name, "' has the wrong type: ", value.dump()));
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(detail::concat(from_file.file, ": ", e.what()));
    } catch (const NotImplemented& e) {  // keep the "not implemented: " prefix first
      const std::string what = e.what();
      throw NotImplemented(detail::concat(from_file.file, ": ", what.substr(what.find(": ") + 2)));
    }
  }
  for (const auto& [name, opt] : options_) {
    if (opt->count() == 0) continue;
    const auto& v = values_.at(name);
    args.set(name, v.empty() || v.back().empty() ? "true" : v.back());  // a bare flag means true
  }
}

}  // namespace afinar::cli
