// Arguments from a file, as HF's example scripts take them (`python run_glue.py args.json`, or
// HfArgumentParser.parse_yaml_file): `afinar train args.yaml` or `afinar train --config args.json`.
//
// The file is one mapping of flag names to values. TrainingArguments fields keep their JSON types
// (so the file Python's TrainingArguments.to_json_string() writes loads as it is); the script's
// other flags become command-line flags. A flag given on the command line wins over the file.
// YAML is read with the YAML 1.2 core schema: only true/false are booleans (`eval_strategy: no` is
// the string "no", not PyYAML's False) and 5e-5 is a number (PyYAML 1.1 reads it as a string).
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace afinar::cli {

/// The mapping in a .json, .yaml or .yml file; FormatError naming the file (and line) otherwise.
nlohmann::json read_args_file(const std::string& path);

/// The TrainingArguments fields an arguments file gave (their JSON types kept), and the file's
/// name for messages. main() owns it and hands it to the train command, which applies it before
/// the command-line flags (TrainingFlags::apply).
struct ArgsFileValues {
  nlohmann::json training_args = nlohmann::json::object();
  std::string file;
};

/// Rewrites `argv` for CLI11 when a subcommand is given an arguments file (`--config FILE`, or
/// FILE as its first argument when it ends in .json/.yaml/.yml): TrainingArguments fields go to
/// `from_file`, the others become `--key value` flags unless given on the command line.
/// A key that is no flag of the subcommand is an error naming the file and the key.
std::vector<std::string> expand_args_file(const CLI::App& app, std::vector<std::string> argv, ArgsFileValues& from_file);

}  // namespace afinar::cli
