// Each `afinar <command>` lives in its own file and adds itself to the app here (explicit
// registration; no static initialisers). Flags use Hugging Face's names; unknown flags are errors.
#pragma once
#include <CLI/CLI.hpp>

namespace afinar::cli {

struct ArgsFileValues;

/// `from_file` is filled by expand_args_file before parsing, read when the command runs.
void add_train_command(CLI::App& app, const ArgsFileValues& from_file);
void add_predict_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_datasets_command(CLI::App& app);
void add_hub_command(CLI::App& app);

}  // namespace afinar::cli
