// The dataset card push_to_hub writes: HF's Features._to_yaml_list (datasets/features/features.py)
// and a YAML emitter that writes what PyYAML's safe_dump(sort_keys=False) writes for these
// documents (block style, indentless sequences under mapping keys, single quotes where a plain
// scalar would read as another type).
#include <nlohmann/json.hpp>
#include <regex>

#include "afinar/data/push_to_hub.h"

namespace afinar {
namespace {

using nlohmann::ordered_json;

std::string snake(const std::string& camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '_';
      out += char(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

ordered_json simplify(ordered_json f) {
  for (const char* lt : {"large_list", "list", "sequence"}) {
    if (f.contains(lt) && f[lt].is_object() && f[lt].size() == 1 && f[lt].contains("dtype"))
      f[lt] = ordered_json(f[lt]["dtype"]);
    if (f.contains(lt) && f[lt].is_object() && f[lt].size() == 1 && f[lt].contains("struct"))
      f[lt] = ordered_json(f[lt]["struct"]);
  }
  if (f.contains("class_label") && f["class_label"].is_object() && f["class_label"].contains("names") &&
      f["class_label"]["names"].is_array()) {
    ordered_json names = ordered_json::object();
    const auto list = f["class_label"]["names"];
    for (size_t i = 0; i < list.size(); ++i) names[std::to_string(i)] = list[i];
    f["class_label"]["names"] = names;
  }
  return f;
}

ordered_json to_yaml_inner(ordered_json obj) {
  std::string type;
  if (obj.contains("_type")) {
    type = obj["_type"].get<std::string>();
    obj.erase("_type");
  }
  auto with_rest = [&](const char* key) {
    ordered_json item = obj["feature"];
    obj.erase("feature");
    ordered_json out = {{key, to_yaml_inner(item)}};
    for (auto& [k, v] : obj.items()) out[k] = v;
    return simplify(out);
  };
  if (type == "LargeList") return with_rest("large_list");
  if (type == "List") return with_rest("list");
  if (type == "Value") return obj;
  if (!type.empty() && obj.empty()) return {{"dtype", snake(type)}};
  if (!type.empty()) return {{"dtype", simplify({{snake(type), obj}})}};
  ordered_json fields = ordered_json::array();
  for (auto& [name, sub] : obj.items()) {
    ordered_json item = {{"name", name}};
    const ordered_json inner = to_yaml_inner(sub);
    for (const auto& [k, v] : inner.items()) item[k] = v;
    fields.push_back(item);
  }
  return {{"struct", fields}};
}

/// A scalar as PyYAML writes it: plain where that reads back as the same string.
std::string scalar(const ordered_json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  const std::string s = v.get<std::string>();
  static const std::regex looks_typed(
      R"(^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~))$)");
  bool plain = !s.empty() && !std::regex_match(s, looks_typed) && s.front() != ' ' && s.back() != ' ' &&
               std::string(",[]{}#&*!|>'\"%@`").find(s.front()) == std::string::npos &&
               s.find(": ") == std::string::npos && s.find(" #") == std::string::npos && s.back() != ':';
  for (unsigned char c : s) plain = plain && c >= 0x20 && c != 0x7f;  // UTF-8 stays plain (allow_unicode)
  // '-', '?' and ':' start a plain scalar unless a space (or the end) follows them.
  if (!s.empty() && (s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' '))
    plain = false;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void emit(const ordered_json& v, int indent, std::string& out);

void emit_map(const ordered_json& m, int indent, std::string& out, bool first_inline) {
  bool first = true;
  for (auto& [k, v] : m.items()) {
    if (!(first && first_inline)) out += std::string(size_t(indent), ' ');
    first = false;
    out += scalar(ordered_json(k)) + ":";
    if (v.is_object() && !v.empty()) {
      out += "\n";
      emit_map(v, indent + 2, out, false);
    } else if (v.is_array() && !v.empty()) {
      out += "\n";
      emit(v, indent, out);  // PyYAML: a sequence under a key is not indented
    } else if (v.is_object() || v.is_array()) {
      out += v.is_object() ? " {}\n" : " []\n";
    } else {
      out += ' ';
      out += scalar(v);
      out += '\n';
    }
  }
}

void emit(const ordered_json& v, int indent, std::string& out) {
  if (v.is_object()) return emit_map(v, indent, out, false);
  for (const auto& item : v) {
    out += std::string(size_t(indent), ' ') + "- ";
    if (item.is_object() && !item.empty()) {
      emit_map(item, indent + 2, out, true);
    } else if (item.is_array() && !item.empty()) {
      out += "\n";
      emit(item, indent + 2, out);
    } else {
      out += scalar(item) + "\n";
    }
  }
}

ordered_json features_yaml_list(const Features& features) {
  return to_yaml_inner(features.to_json())["struct"];
}

}  // namespace

std::string features_yaml(const Features& features) {
  std::string out;
  emit(features_yaml_list(features), 0, out);
  return out;
}

std::string dataset_card(const Features& features, const std::vector<SplitCardInfo>& splits) {
  ordered_json info = {{"features", features_yaml_list(features)}, {"splits", ordered_json::array()}};
  int64_t download = 0, dataset = 0;
  ordered_json data_files = ordered_json::array();
  for (const auto& s : splits) {
    info["splits"].push_back({{"name", s.name}, {"num_bytes", s.num_bytes}, {"num_examples", s.num_examples}});
    download += s.uploaded_size;
    dataset += s.num_bytes;
    data_files.push_back({{"split", s.name}, {"path", "data/" + s.name + "-*"}});
  }
  info["download_size"] = download;
  info["dataset_size"] = dataset;
  ordered_json card = {{"dataset_info", info},
                       {"configs", ordered_json::array({{{"config_name", "default"}, {"data_files", data_files}}})}};
  std::string out = "---\n";
  emit(card, 0, out);
  return out + "---\n";
}

}  // namespace afinar
