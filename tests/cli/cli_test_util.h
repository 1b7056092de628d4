// Runs the built `afinar` binary as a user would and captures what it prints.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "afinar_test_paths.h"

namespace afinar_test {

struct RunResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// The commands run by the tests prepare and map their files into a datasets cache of this test
/// process (inherited by the commands), removed at exit: none lands in the user's cache.
struct IsolatedDatasetsCache {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("afinar_cli_tests_cache_" + std::to_string(::getpid()));
  IsolatedDatasetsCache() { ::setenv("HF_DATASETS_CACHE", path.c_str(), 1); }
  ~IsolatedDatasetsCache() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
inline const IsolatedDatasetsCache isolated_datasets_cache;

inline RunResult run_afinar(const std::string& args) {
  const std::string cmd = std::string(AFINAR_BINARY) + " " + args + " 2>&1";
  RunResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

/// A fresh folder under the system temp dir, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace afinar_test
