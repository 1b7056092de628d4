// afinar command line: `afinar <command> [HF-named flags]`. Only this file (and main_torch.cpp)
// catches errors: it prints `error: <message>` and returns non-zero.
//
// Two binaries, one command line. Loading LibTorch costs ~0.6 s of static initialisation before
// main() (operator registration; measured on a 2-core machine, bench/datasets/RESULTS.md), longer
// than the whole rotten_tomatoes tokenisation. So `afinar` itself links only the torch-free
// modules (datasets, tokenizers, hub) and hands `train` and `predict` to its sibling
// `afinar-torch` with execv — the same argv, the same process id, no second startup cost
// (as git does with git-<command>).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "afinar/core/check.h"
#include "afinar/core/fs.h"
#include "commands.h"

namespace {

constexpr const char* kTorchCommands[] = {"train", "predict"};

/// The afinar-torch binary next to this one (symlinks resolved through /proc/self/exe).
afinar::fs::path torch_binary() {
  std::error_code ec;
  afinar::fs::path self = afinar::fs::read_symlink("/proc/self/exe", ec);
  return (ec ? afinar::fs::path(".") : self.parent_path()) / "afinar-torch";
}

[[noreturn]] void exec_torch_binary(char** argv) {
  const std::string exe = torch_binary().string();
  execv(exe.c_str(), argv);
  std::cerr << "error: cannot run " << exe << ": " << std::strerror(errno)
            << "; HINT: afinar-torch is built and installed next to afinar\n";
  std::exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1)
    for (const char* c : kTorchCommands)
      if (std::strcmp(argv[1], c) == 0) exec_torch_binary(argv);

  CLI::App app{"afinar: fine-tune Hugging Face models in C++", "afinar"};
  app.require_subcommand(1);
  // Listed for --help only: the command line never reaches them (exec above).
  app.add_subcommand("train", "Fine-tune a model (Trainer.train); see `afinar train --help`");
  app.add_subcommand("predict", "Run a model over a dataset (Trainer.predict); see `afinar predict --help`");
  afinar::cli::add_tokenize_command(app);
  afinar::cli::add_datasets_command(app);
  afinar::cli::add_hub_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and returns 0; a bad command line is exit status 2, as argparse's.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const afinar::NotImplemented& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  // Every command here has closed, synced and renamed what it wrote before returning; what is
  // left is freeing memory and unmapping files, ~10 ms the OS does at once (as compilers skip
  // their teardown).
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(0);
}
