// PretrainedConfig's label fields (transformers' configuration_utils.py: id2label, label2id,
// num_labels, problem_type) for every model config.
#include "afinar/models/config_labels.h"

#include "afinar/core/check.h"
#include "config_read.h"

namespace afinar {

std::vector<std::string> default_labels(int64_t n) {
  AFINAR_CHECK(n > 0, "num_labels must be positive, got ", n);
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back("LABEL_" + std::to_string(i));
  return out;
}

void ConfigLabels::set_num_labels(int64_t n) {
  AFINAR_CHECK(n > 0, "num_labels must be positive, got ", n);
  if (n != num_labels()) id2label = default_labels(n);
}

void ConfigLabels::read_labels(const nlohmann::json& j) {
  if (auto it = j.find("id2label"); it != j.end() && it->is_object() && !it->empty()) {
    std::vector<std::string> labels(it->size());
    for (const auto& [k, v] : it->items()) {
      size_t i = 0;
      try {
        i = std::stoul(k);
      } catch (const std::exception&) {
        throw InvalidArgument(detail::concat("config.json: id2label key '", k, "' is not an index"));
      }
      AFINAR_CHECK(i < labels.size() && v.is_string(), "config.json: id2label must map 0..", labels.size() - 1,
                   " to names, got key '", k, "' → ", v.dump());
      labels[i] = v.get<std::string>();
    }
    id2label = std::move(labels);
  } else if (auto n = j.find("num_labels"); n != j.end() && n->is_number_integer()) {
    id2label = default_labels(n->get<int64_t>());
  }
  detail::read_field(j, "problem_type", problem_type);
}

void ConfigLabels::write_labels(nlohmann::json& j) const {
  nlohmann::json id2 = nlohmann::json::object(), l2id = nlohmann::json::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    id2[std::to_string(i)] = id2label[i];
    l2id[id2label[i]] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = l2id;
  if (!problem_type.empty()) j["problem_type"] = problem_type;
}

void ConfigLabels::check_labels(const char* config) const {
  AFINAR_CHECK(num_labels() > 0, config, ": num_labels must be positive");
  AFINAR_CHECK(problem_type.empty() || problem_type == "regression" || problem_type == "single_label_classification" ||
                   problem_type == "multi_label_classification",
               config, ": problem_type '", problem_type,
               "' must be regression, single_label_classification or multi_label_classification");
}

const std::vector<std::string>& ConfigLabels::label_keys() {
  static const std::vector<std::string> keys = {"id2label", "label2id", "num_labels", "problem_type"};
  return keys;
}

}  // namespace afinar
