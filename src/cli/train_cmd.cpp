#include "commands.h"
#include "afinar/core/check.h"

namespace afinar::cli {
void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train");
  cmd->callback([] { AFINAR_NOT_IMPLEMENTED("afinar train"); });
}
}  // namespace afinar::cli
