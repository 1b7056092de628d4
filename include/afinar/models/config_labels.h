/// The label fields every model config shares (transformers' PretrainedConfig: id2label,
/// label2id, num_labels, problem_type), read and written in one place. Each *Config derives from
/// ConfigLabels, so `cfg.id2label`, `cfg.num_labels()`, `cfg.set_num_labels(3)` and
/// `cfg.problem_type` read the same on every family.
///
///   afinar::BertConfig cfg;
///   cfg.set_num_labels(3);          // id2label → LABEL_0..LABEL_2
///   cfg.read_labels(config_json);   // id2label {"0": "NEG", …} decides, else num_labels
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace afinar {

/// LABEL_0..LABEL_{n-1}; InvalidArgument for n <= 0.
std::vector<std::string> default_labels(int64_t n);

struct ConfigLabels {
  explicit ConfigLabels(int64_t num_labels = 2) : id2label(default_labels(num_labels)) {}

  std::vector<std::string> id2label;  ///< index → name; its size is num_labels
  std::string problem_type;           ///< "" (decided from the labels) | regression |
                                      ///< single_label_classification | multi_label_classification

  int64_t num_labels() const { return static_cast<int64_t>(id2label.size()); }
  /// Resets id2label to LABEL_0..LABEL_{n-1} when n differs from the current count.
  void set_num_labels(int64_t n);

  /// From config.json, as transformers: id2label ({"0": "NEG", …}) decides the labels, else
  /// num_labels; problem_type when present. InvalidArgument naming the field on a bad one.
  void read_labels(const nlohmann::json& j);
  /// id2label, label2id (as transformers writes them) and problem_type (when set) into `j`.
  void write_labels(nlohmann::json& j) const;
  /// num_labels > 0 and a known problem_type; `config` names the config in the message.
  void check_labels(const char* config) const;
  /// The config.json keys the label fields own: id2label, label2id, num_labels, problem_type.
  static const std::vector<std::string>& label_keys();
};

}  // namespace afinar
