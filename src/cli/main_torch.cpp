// afinar-torch: the commands that need LibTorch (`afinar train`, `afinar predict`). `afinar`
// execs it for those (main.cpp says why); run on its own it takes the same command lines.
#include <iostream>
#include <string>
#include <vector>

#include "afinar/core/check.h"
#include "args_file.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"afinar: fine-tune Hugging Face models in C++", "afinar"};
  app.require_subcommand(1);
  afinar::cli::ArgsFileValues from_file;  // what an arguments file gives TrainingArguments
  afinar::cli::add_train_command(app, from_file);
  afinar::cli::add_predict_command(app);
  try {
    // An arguments file (`afinar train args.yaml`) becomes flags before CLI11 parses.
    std::vector<std::string> args =
        afinar::cli::expand_args_file(app, std::vector<std::string>(argv, argv + argc), from_file);
    std::vector<char*> ptrs;
    for (auto& a : args) ptrs.push_back(a.data());
    app.parse(static_cast<int>(ptrs.size()), ptrs.data());
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
  return 0;
}
