// Task runners by kind (STYLE.md, "Task runners"): a TaskRunner runs one attempt of a
// task, given its arguments, a fresh attempt directory and a cancellation flag, and
// returns its outputs or an error; the executor neither knows nor cares how. A
// RunnerRegistry maps each ir::RunnerKind to its runner: `shell` (ShellTask.cpp) and
// `builtin` (BuiltinRunner.cpp); `cpp` plugs in as one file and one line in
// default_runners().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

class ProcessSpawner;

struct AttemptSpec {
  const ir::Module* module = nullptr;
  const ir::Task* task = nullptr;
  Value args;  // object: parameter name -> value, defaults applied
  std::string run_id;
  std::string node_key;        // FLYTE_NODE
  int attempt = 1;             // FLYTE_ATTEMPT, from 1
  std::string attempt_dir;     // fresh: work/, checkpoint/, stdout.log, stderr.log, in.*, out.*
  std::string checkpoint_dir;  // FLYTE_CHECKPOINT_DIR (created)
  std::string prev_checkpoint_dir;  // FLYTE_PREV_CHECKPOINT_DIR, or ""
  std::string node_dir;             // where outputs are moved on success
  std::optional<double> timeout_s;
  std::optional<std::string> visible_gpus;     // CUDA_VISIBLE_DEVICES for a GPU task
  const ir::Attributes* attributes = nullptr;  // the node's resolved requests; null: defaults
  std::map<std::string, int64_t> dims;         // dimension variables the input tensors bound
};

struct AttemptResult {
  enum class Status { Ok, Failed, TimedOut, Cancelled } status = Status::Failed;
  Value outputs;      // object: output name -> value (paths under node_dir)
  std::string error;  // what went wrong, in one line
  std::string log;    // the stderr log's path, for the tail shown on failure ("" if none)
};

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  /// Runs one attempt of `spec.task`. Called from many threads at once. Returns soon
  /// after `cancel` becomes true, with status Cancelled.
  virtual AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) = 0;
};

class RunnerRegistry {
 public:
  /// `runner` runs the tasks of `kind` from now on.
  void add(ir::RunnerKind kind, std::unique_ptr<TaskRunner> runner);
  /// The runner for `kind`, or null when none is registered.
  TaskRunner* find(ir::RunnerKind kind) const;

 private:
  std::array<std::unique_ptr<TaskRunner>, ir::kRunnerKindCount> runners_;
};

/// Every runner this runtime has, spawning processes with `spawner`.
std::unique_ptr<RunnerRegistry> default_runners(ProcessSpawner& spawner);

/// Why a task whose runner kind has no runner cannot run.
std::string no_runner_error(const ir::Task& t);

}  // namespace flyte::rt
