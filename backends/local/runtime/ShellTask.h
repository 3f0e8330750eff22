// One attempt of a shell task (LANGUAGE.md 4.1): placeholders substituted and quoted,
// a fresh working directory, the FLYTE_* environment, logs to files, and the outputs
// read back and checked against the task's types.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "backends/local/runtime/TaskRunner.h"
#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

class ProcessSpawner;

/// The runner of `shell` tasks: one attempt runs the rendered command with `/bin/sh -c`,
/// through `spawner`.
class ShellRunner final : public TaskRunner {
 public:
  explicit ShellRunner(ProcessSpawner& spawner) : spawner_(spawner) {}
  AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) override;

 private:
  ProcessSpawner& spawner_;
};

/// The command with every placeholder replaced: quoted input values (a non-scalar input
/// is written as `in.<name>.json` in `attempt_dir` and passed as its path) and output
/// paths (`out.<name>` there). nullopt with `error` (naming the file; "the disk is full")
/// when an input file cannot be written. Exposed for tests.
std::optional<std::string> render_command(const ir::Module& m, const ir::Task& t, const Value& args,
                                          const std::string& attempt_dir, std::string& error);

}  // namespace flyte::rt
