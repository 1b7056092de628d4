// Internal to src/models/{gpt2,llama}: reading config.json fields with their types checked, and the
// id2label/label2id fields every head config shares.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "afinar/core/check.h"

namespace afinar::detail {

/// j[key] into `out` when present and not null; InvalidArgument naming the field on a wrong type.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InvalidArgument(concat("config.json: field '", key, "' has the wrong type: ", it->dump()));
  }
}

/// As read_field; an explicit null resets the optional.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_null()) {
    out.reset();
    return;
  }
  T v{};
  read_field(j, key, v);
  out = v;
}

inline nlohmann::json optional_json(const std::optional<int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
inline nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// LABEL_0..LABEL_{n-1}.
inline std::vector<std::string> default_labels(int64_t n) {
  AFINAR_CHECK(n > 0, "num_labels must be positive, got ", n);
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back("LABEL_" + std::to_string(i));
  return out;
}

/// id2label ({"0": "NEG", …}) decides the labels, else num_labels, as in transformers.
inline void read_labels(const nlohmann::json& j, std::vector<std::string>& id2label) {
  if (auto it = j.find("id2label"); it != j.end() && it->is_object() && !it->empty()) {
    std::vector<std::string> labels(it->size());
    for (const auto& [k, v] : it->items()) {
      size_t i = 0;
      try {
        i = std::stoul(k);
      } catch (const std::exception&) {
        throw InvalidArgument(concat("config.json: id2label key '", k, "' is not an index"));
      }
      AFINAR_CHECK(i < labels.size() && v.is_string(), "config.json: id2label must map 0..", labels.size() - 1,
                   " to names, got key '", k, "' → ", v.dump());
      labels[i] = v.get<std::string>();
    }
    id2label = std::move(labels);
  } else if (auto n = j.find("num_labels"); n != j.end() && n->is_number_integer()) {
    id2label = default_labels(n->get<int64_t>());
  }
}

inline void write_labels(nlohmann::json& j, const std::vector<std::string>& id2label, const std::string& problem_type) {
  nlohmann::json id2 = nlohmann::json::object(), l2id = nlohmann::json::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    id2[std::to_string(i)] = id2label[i];
    l2id[id2label[i]] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = l2id;
  if (!problem_type.empty()) j["problem_type"] = problem_type;
}

/// The config.json fields not in `known`, kept verbatim.
inline nlohmann::json unknown_fields(const nlohmann::json& j, std::initializer_list<const char*> known) {
  nlohmann::json extra = nlohmann::json::object();
  for (const auto& [k, v] : j.items()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) extra[k] = v;
  }
  return extra;
}

inline void check_problem_type(const std::string& p, const char* cls) {
  AFINAR_CHECK(
      p.empty() || p == "regression" || p == "single_label_classification" || p == "multi_label_classification", cls,
      ": problem_type '", p, "' must be regression, single_label_classification or multi_label_classification");
}

}  // namespace afinar::detail
