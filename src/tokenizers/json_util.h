// Field readers for tokenizer.json components: errors name the file and the field.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "afinar/core/check.h"

namespace afinar::tokenizers::json_util {

using nlohmann::json;

template <typename T>
T get(const json& j, const char* key, const std::string& origin, const char* where) {
  AFINAR_CHECK_FORMAT(j.is_object(), origin, ": ", where, " must be a JSON object");
  auto it = j.find(key);
  AFINAR_CHECK_FORMAT(it != j.end() && !it->is_null(), origin, ": ", where, " lacks the field \"", key, "\"");
  try {
    return it->get<T>();
  } catch (const json::exception& e) {
    throw FormatError(detail::concat(origin, ": ", where, ".", key, " has the wrong type (", e.what(), ")"));
  }
}

/// The field itself, not a copy (model.vocab and model.merges hold tens of thousands of entries).
inline const json& field(const json& j, const char* key, const std::string& origin, const char* where) {
  AFINAR_CHECK_FORMAT(j.is_object(), origin, ": ", where, " must be a JSON object");
  auto it = j.find(key);
  AFINAR_CHECK_FORMAT(it != j.end() && !it->is_null(), origin, ": ", where, " lacks the field \"", key, "\"");
  return *it;
}

template <typename T>
T get_or(const json& j, const char* key, T fallback, const std::string& origin, const char* where) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception& e) {
    throw FormatError(detail::concat(origin, ": ", where, ".", key, " has the wrong type (", e.what(), ")"));
  }
}

/// The component's "type", or "" when absent.
inline std::string type_of(const json& j, const std::string& origin, const char* where) {
  return get_or<std::string>(j, "type", "", origin, where);
}

}  // namespace afinar::tokenizers::json_util
