#include "args_file.h"

#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <regex>
#include <set>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "afinar/train/training_args.h"

namespace afinar::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_args_file(const std::string& s) {
  return ends_with(s, ".json") || ends_with(s, ".yaml") || ends_with(s, ".yml");
}

// A plain (unquoted) YAML scalar, resolved by the YAML 1.2 core schema.
nlohmann::json resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(s, kInt)) {
    errno = 0;
    const long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno != ERANGE) return v;
  }
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);
  if (s == ".inf" || s == ".Inf" || s == "+.inf") return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf") return -std::numeric_limits<double>::infinity();
  return s;
}

// Builds JSON from libyaml's event stream: one node (scalar, sequence or mapping) per call.
class YamlReader {
 public:
  YamlReader(const std::string& text, std::string path) : path_(std::move(path)) {
    AFINAR_CHECK_FORMAT(yaml_parser_initialize(&parser_), path_, ": cannot start the YAML parser");
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~YamlReader() { yaml_parser_delete(&parser_); }
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  nlohmann::json document() {
    expect(YAML_STREAM_START_EVENT);
    const Event e = next();
    if (e.type == YAML_STREAM_END_EVENT) return nlohmann::json::object();  // an empty file
    AFINAR_CHECK_FORMAT(e.type == YAML_DOCUMENT_START_EVENT, path_, ": expected a YAML document");
    nlohmann::json root = node(next());
    expect(YAML_DOCUMENT_END_EVENT);
    AFINAR_CHECK_FORMAT(next().type == YAML_STREAM_END_EVENT, path_,
                        ": holds several YAML documents; an arguments file holds one mapping");
    return root;
  }

 private:
  // Copies what we need out of the event and frees it (libyaml owns the strings until then).
  struct Event {
    yaml_event_type_t type;
    std::string value;
    bool plain = false;
    size_t line = 0;
  };

  Event next() {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser_, &e)) {
      throw FormatError(detail::concat(path_, ": line ", parser_.problem_mark.line + 1,
                                       ": not valid YAML: ", parser_.problem ? parser_.problem : "parse error"));
    }
    Event out{e.type, "", false, e.start_mark.line + 1};
    if (e.type == YAML_SCALAR_EVENT) {
      out.value.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
      out.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    }
    yaml_event_delete(&e);
    return out;
  }

  void expect(yaml_event_type_t type) {
    const Event e = next();
    AFINAR_CHECK_FORMAT(e.type == type, path_, ": line ", e.line, ": unexpected YAML structure");
  }

  nlohmann::json node(const Event& e) {
    switch (e.type) {
      case YAML_SCALAR_EVENT:
        return e.plain ? resolve_plain(e.value) : nlohmann::json(e.value);
      case YAML_SEQUENCE_START_EVENT: {
        nlohmann::json arr = nlohmann::json::array();
        for (Event x = next(); x.type != YAML_SEQUENCE_END_EVENT; x = next()) arr.push_back(node(x));
        return arr;
      }
      case YAML_MAPPING_START_EVENT: {
        nlohmann::json obj = nlohmann::json::object();
        for (Event k = next(); k.type != YAML_MAPPING_END_EVENT; k = next()) {
          AFINAR_CHECK_FORMAT(k.type == YAML_SCALAR_EVENT, path_, ": line ", k.line,
                              ": mapping keys must be plain names");
          AFINAR_CHECK_FORMAT(!obj.contains(k.value), path_, ": line ", k.line, ": key '", k.value, "' appears twice");
          obj[k.value] = node(next());
        }
        return obj;
      }
      case YAML_ALIAS_EVENT:
        AFINAR_NOT_IMPLEMENTED(path_, ": line ", e.line, ": YAML aliases (*name)");
      default:
        throw FormatError(detail::concat(path_, ": line ", e.line, ": unexpected YAML structure"));
    }
  }

  yaml_parser_t parser_;
  std::string path_;
};

// The command-line text of a file value for a non-TrainingArguments flag.
std::string as_flag_value(const nlohmann::json& v, const std::string& key, const std::string& file) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_array()) {  // a list flag (e.g. text_column_names) is comma-separated on the command line
    std::string out;
    for (const auto& x : v) {
      AFINAR_CHECK(x.is_string() || x.is_number(), file, ": '", key, "': list items must be strings or numbers");
      out += (out.empty() ? "" : ",") + (x.is_string() ? x.get<std::string>() : x.dump());
    }
    return out;
  }
  throw InvalidArgument(
      detail::concat(file, ": '", key, "' must be a string, number, boolean or list, got ", v.dump()));
}

}  // namespace

nlohmann::json read_args_file(const std::string& path) {
  AFINAR_CHECK(is_args_file(path), path, ": an arguments file must end in .json, .yaml or .yml");
  const std::string text = read_file(path);
  nlohmann::json j;
  if (ends_with(path, ".json")) {
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
      throw FormatError(detail::concat(path, ": not valid JSON: ", e.what()));
    }
  } else {
    j = YamlReader(text, path).document();
  }
  AFINAR_CHECK_FORMAT(j.is_object(), path, ": must hold one mapping of argument names to values, got ", j.type_name());
  return j;
}

std::vector<std::string> expand_args_file(const CLI::App& app, std::vector<std::string> argv, ArgsFileValues& from_file) {
  if (argv.size() < 2) return argv;
  const CLI::App* cmd = nullptr;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == argv[1]) cmd = sub;
  if (cmd == nullptr) return argv;

  // Where the file is named: `--config F`, `--config=F`, or the first argument after the command.
  std::string file;
  std::vector<std::string> rest(argv.begin(), argv.begin() + 2);
  for (size_t i = 2; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--config") {
      AFINAR_CHECK(i + 1 < argv.size(), "--config needs a file (.json, .yaml or .yml)");
      AFINAR_CHECK(file.empty(), "only one arguments file may be given");
      file = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      AFINAR_CHECK(file.empty(), "only one arguments file may be given");
      file = a.substr(9);
    } else if (i == 2 && a.rfind("-", 0) != 0 && is_args_file(a)) {
      file = a;
    } else {
      rest.push_back(a);
    }
  }
  if (file.empty()) return argv;

  std::set<std::string> given;  // flags on the command line win over the file
  for (size_t i = 2; i < rest.size(); ++i)
    if (rest[i].rfind("--", 0) == 0) given.insert(rest[i].substr(2, rest[i].find('=') - 2));

  from_file.file = file;
  const nlohmann::json j = read_args_file(file);
  const std::vector<std::string> ta = TrainingArguments::field_names();
  const bool takes_training_args = cmd->get_option_no_throw("--output_dir") != nullptr;
  for (const auto& [key, value] : j.items()) {
    if (takes_training_args && std::find(ta.begin(), ta.end(), key) != ta.end()) {
      if (!given.count(key)) from_file.training_args[key] = value;
      continue;
    }
    const CLI::Option* opt = cmd->get_option_no_throw("--" + key);
    AFINAR_CHECK(opt != nullptr, file, ": '", key, "' is not an argument of afinar ", cmd->get_name(), " (see afinar ",
                 cmd->get_name(), " --help)");
    if (given.count(key) || value.is_null()) continue;  // null: the default, as None in Python
    if (opt->get_expected_max() == 0) {                 // a flag: true → --key, false → --key=false
      AFINAR_CHECK(value.is_boolean(), file, ": '", key, "' is a flag and takes true or false, got ", value.dump());
      rest.push_back(value.get<bool>() ? "--" + key : "--" + key + "=false");
    } else {
      rest.push_back("--" + key);
      rest.push_back(as_flag_value(value, key, file));
    }
  }
  return rest;
}

}  // namespace afinar::cli
