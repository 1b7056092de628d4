// Each `afinar <command>` lives in its own file and adds itself to the app here (explicit
// registration; no static initialisers). Flags use Hugging Face's names; unknown flags are errors.
#pragma once
#include <CLI/CLI.hpp>

namespace afinar::cli {

void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_datasets_command(CLI::App& app);
void add_hub_command(CLI::App& app);

}  // namespace afinar::cli
