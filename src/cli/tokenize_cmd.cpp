#include "commands.h"
#include "afinar/core/check.h"

namespace afinar::cli {
void add_tokenize_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokenize", "tokenize");
  cmd->callback([] { AFINAR_NOT_IMPLEMENTED("afinar tokenize"); });
}
}  // namespace afinar::cli
