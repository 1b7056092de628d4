// Flags that belong to tasks (`afinar train --task translation --source_lang en`): each is one
// CLI11 option on the command, bound to every task that takes it (translation and summarization
// both take --source_prefix). After parsing, only the chosen task's targets are set, and a flag
// of another task is refused by name — never ignored.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace afinar::cli {

class TaskFlags {
 public:
  TaskFlags(CLI::App* cmd, std::string group) : cmd_(cmd), group_(std::move(group)) {}

  /// The task whose flags the next option()/flag() calls add.
  void begin(std::string_view task) { task_ = task; }

  /// A flag with a value (--name VALUE), converted to T by CLI11; `check` validates it.
  template <typename T>
  void option(const std::string& name, T& target, const std::string& help,
              std::optional<CLI::Validator> check = std::nullopt) {
    Entry& e = entry(name, [&] {
      CLI::Option* o = cmd_->add_option(name, help)->group(group_);
      if (check) o->check(*check);
      return o;
    });
    e.bindings[task_] = [&target](const CLI::Option& o) { o.results(target); };
  }
  /// A boolean flag (--name, or --name=false).
  void flag(const std::string& name, bool& target, const std::string& help) {
    Entry& e = entry(name, [&] { return cmd_->add_flag(name, help)->group(group_); });
    e.bindings[task_] = [&target](const CLI::Option& o) { target = o.as<bool>(); };
  }

  /// After parsing, for the chosen task: sets its targets from the flags given, and refuses a
  /// given flag the task does not take (InvalidArgument naming the tasks that do).
  void apply(std::string_view task) const;
  /// Whether `name` was given on the command line.
  bool given(const std::string& name) const;

 private:
  struct Entry {
    CLI::Option* option = nullptr;
    std::map<std::string, std::function<void(const CLI::Option&)>, std::less<>> bindings;  ///< task → setter
  };
  template <typename Make>
  Entry& entry(const std::string& name, Make make) {
    auto it = entries_.find(name);
    if (it == entries_.end()) it = entries_.emplace(name, Entry{make(), {}}).first;
    return it->second;
  }
  CLI::App* cmd_;
  std::string group_;
  std::string task_;
  std::map<std::string, Entry> entries_;
};

}  // namespace afinar::cli
