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

/// Rewrites `argv` for CLI11 when a subcommand is given an arguments file (`--config FILE`, or
/// FILE as its first argument when it ends in .json/.yaml/.yml): TrainingArguments fields go to
/// training_args_from_file(), the others become `--key value` flags unless given on the command line.
/// A key that is no flag of the subcommand is an error naming the file and the key.
std::vector<std::string> expand_args_file(const CLI::App& app, std::vector<std::string> argv);

/// TrainingArguments fields read from the arguments file (an object; empty when none), with the
/// file's name for messages. TrainingFlags::apply sets them before the command-line flags.
const nlohmann::json& training_args_from_file();
const std::string& args_file_name();

}  // namespace afinar::cli
