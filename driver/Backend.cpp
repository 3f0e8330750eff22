// The backend registry.
#include "driver/Backend.h"

#include <algorithm>

namespace flyte::driver {
namespace {

std::vector<std::unique_ptr<Backend>>& registry() {
  static std::vector<std::unique_ptr<Backend>> backends;
  return backends;
}

}  // namespace

bool Backend::run(const ir::Module&, const BackendRequest&, const std::vector<std::string>&,
                  std::string& error) const {
  error = "the '" + std::string(name()) + "' target cannot run workflows on this machine";
  return false;
}

void register_backend(std::unique_ptr<Backend> backend) {
  if (find_backend(backend->name()) == nullptr) registry().push_back(std::move(backend));
}

const Backend* find_backend(std::string_view name) {
  auto& r = registry();
  auto it = std::find_if(r.begin(), r.end(), [&](const auto& b) { return b->name() == name; });
  return it == r.end() ? nullptr : it->get();
}

std::vector<std::string> registered_backends() {
  std::vector<std::string> names;
  for (const auto& b : registry()) names.emplace_back(b->name());
  return names;
}

std::string unavailable_target_message(std::string_view name) {
  std::string use;
  std::string list;
  for (const std::string& n : registered_backends()) {
    use += (use.empty() ? "--target " : " or --target ") + n;
    list += (list.empty() ? "" : ", ") + n;
  }
  if (list.empty()) return "the '" + std::string(name) + "' target is not available in this build";
  return "the '" + std::string(name) + "' target is not available in this build; use " + use +
         " (registered targets: " + list + ")";
}

}  // namespace flyte::driver
