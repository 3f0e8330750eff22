// The runner registry and the runners this runtime has.
#include "backends/local/runtime/TaskRunner.h"

#include <fmt/format.h>

#include "backends/local/runtime/BuiltinRunner.h"
#include "backends/local/runtime/CppRunner.h"
#include "backends/local/runtime/ShellTask.h"

namespace flyte::rt {

void RunnerRegistry::add(ir::RunnerKind kind, std::unique_ptr<TaskRunner> runner) {
  runners_.at(static_cast<size_t>(kind)) = std::move(runner);
}

TaskRunner* RunnerRegistry::find(ir::RunnerKind kind) const {
  size_t i = static_cast<size_t>(kind);
  return i < runners_.size() ? runners_[i].get() : nullptr;
}

std::unique_ptr<RunnerRegistry> default_runners(ProcessSpawner& spawner) {
  auto r = std::make_unique<RunnerRegistry>();
  r->add(ir::RunnerKind::Shell, std::make_unique<ShellRunner>(spawner));
  r->add(ir::RunnerKind::Builtin, std::make_unique<BuiltinRunner>());
  r->add(ir::RunnerKind::Cpp, std::make_unique<CppRunner>());
  return r;
}

std::string no_runner_error(const ir::Task& t) {
  return fmt::format(
      "task '{}' has a {} runner, which this local runtime cannot run yet: only shell "
      "and builtin tasks run here",
      t.name, fmt::format("{}(...)", ir::spelling(t.runner.kind())));
}

}  // namespace flyte::rt
