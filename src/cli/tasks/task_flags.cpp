#include "task_flags.h"

#include "afinar/core/check.h"

namespace afinar::cli {

void TaskFlags::apply(std::string_view task) const {
  for (const auto& [name, e] : entries_) {
    if (e.option->count() == 0) continue;
    auto it = e.bindings.find(task);
    if (it != e.bindings.end()) {
      it->second(*e.option);
      continue;
    }
    std::string owners;
    for (const auto& [t, _] : e.bindings) owners += (owners.empty() ? "" : ", ") + t;
    throw InvalidArgument(detail::concat(name, " applies to --task ", owners, ", not to --task ", task));
  }
}

bool TaskFlags::given(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.option->count() > 0;
}

}  // namespace afinar::cli
