// Internal to src/models (configuration_*.cpp, config_labels.cpp, generation): reading config.json
// fields with their types checked. The label fields are ConfigLabels' (models/config_labels.h).
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

/// One token id from a field that config.json may hold as an int or a list (eos_token_id):
/// InvalidArgument naming `config` and `field` unless it is one integer.
inline int64_t single_token_id(const nlohmann::json& v, const char* config, const char* field) {
  AFINAR_CHECK(v.is_number_integer(), config, ": ", field, " must be one integer here, got ", v.dump());
  return v.get<int64_t>();
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

}  // namespace afinar::detail
