#include "commands.h"
#include "afinar/core/check.h"

namespace afinar::cli {
void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "predict");
  cmd->callback([] { AFINAR_NOT_IMPLEMENTED("afinar predict"); });
}
}  // namespace afinar::cli
