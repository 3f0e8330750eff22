// Pass statistics.
#include "passes/Pass.h"

#include <algorithm>

namespace flyte::passes {

Statistic& Pass::stat(std::string_view name, std::string_view description) {
  auto it = std::find_if(stats_.begin(), stats_.end(),
                         [&](const Statistic& s) { return s.name == name; });
  if (it != stats_.end()) return *it;
  stats_.push_back({std::string(name), std::string(description), 0});
  return stats_.back();
}

void Pass::count(std::string_view name, std::string_view description, uint64_t delta) {
  stat(name, description).value += delta;
}

void Pass::record_max(std::string_view name, std::string_view description, uint64_t value) {
  Statistic& s = stat(name, description);
  s.value = std::max(s.value, value);
}

}  // namespace flyte::passes
