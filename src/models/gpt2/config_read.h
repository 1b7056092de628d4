// Internal to src/models/*/configuration_*.cpp and generation: reading config.json fields with their types checked, and
// the id2label/label2id fields every head config shares.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "afinar/core/check.h"

namespace afinar::detail {

/// `v` as T. nlohmann's get<int64_t>() on a float casts it, which is undefined behaviour for 1e300
/// (found by fuzz/config_fuzz.cpp): integral T takes integers, and floats with an integral value
/// (768.0), in T's range only. InvalidArgument naming `origin` and `key` otherwise.
template <typename T>
T json_value(const nlohmann::json& v, const char* key, const char* origin = "config.json") {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using L = std::numeric_limits<T>;
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() <= static_cast<uint64_t>(L::max())) return static_cast<T>(v.get<uint64_t>());
    } else if (v.is_number_integer()) {
      const int64_t x = v.get<int64_t>();
      if (x >= static_cast<int64_t>(L::min()) && static_cast<uint64_t>(std::max<int64_t>(x, 0)) <= L::max())
        return static_cast<T>(x);
    } else if (v.is_number_float()) {
      const double d = v.get<double>();
      // 2^63 is exactly representable; the range check runs before the cast.
      if (std::isfinite(d) && d == std::trunc(d) && d >= static_cast<double>(L::min()) &&
          d < static_cast<double>(L::max()) + 1.0)
        return static_cast<T>(d);
    }
    throw InvalidArgument(concat(origin, ": field '", key, "' must be an integer in range, got ", v.dump()));
  } else {
    try {
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      throw InvalidArgument(concat(origin, ": field '", key, "' has the wrong type: ", v.dump()));
    }
  }
}

/// j[key] into `out` when present and not null; InvalidArgument naming the field on a wrong type.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out, const char* origin = "config.json") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  out = json_value<T>(*it, key, origin);
}

/// As read_field; an explicit null resets the optional.
template <typename T>
void read_field(const nlohmann::json& j, const char* key, std::optional<T>& out, const char* origin = "config.json") {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_null()) {
    out.reset();
    return;
  }
  out = json_value<T>(*it, key, origin);
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
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) extra[k] = *it;
  }
  return extra;
}

inline void check_problem_type(const std::string& p, const char* cls) {
  AFINAR_CHECK(
      p.empty() || p == "regression" || p == "single_label_classification" || p == "multi_label_classification", cls,
      ": problem_type '", p, "' must be regression, single_label_classification or multi_label_classification");
}

}  // namespace afinar::detail
