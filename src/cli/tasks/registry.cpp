// The tasks of `afinar train` / `afinar predict`, listed once (explicit registration: no static
// initialisers, which the linker may drop from a static library).
#include "afinar/core/check.h"
#include "task.h"
#include "tasks.h"

namespace afinar::cli {

const std::vector<std::unique_ptr<Task>>& all_tasks() {
  static const std::vector<std::unique_ptr<Task>> tasks = [] {
    std::vector<std::unique_ptr<Task>> t;
    t.push_back(make_text_classification_task());
    t.push_back(make_token_classification_task());
    t.push_back(make_fill_mask_task());
    t.push_back(make_text_generation_task());
    t.push_back(make_translation_task());
    t.push_back(make_summarization_task());
    t.push_back(make_question_answering_task());
    return t;
  }();
  return tasks;
}

Task& find_task(std::string_view name) {
  std::string names;
  for (const auto& t : all_tasks()) {
    if (t->name() == name) return *t;
    names += (names.empty() ? "" : ", ") + std::string(t->name());
  }
  throw InvalidArgument(detail::concat("unknown --task '", name, "'; the tasks are ", names));
}

}  // namespace afinar::cli
