// The scheduler: runs one workflow's graph. In-process nodes (arithmetic, comparisons,
// branches, maps, sub-workflows) run inline as soon as their inputs are ready; task
// nodes go to a thread pool that admits them by CPU, memory and GPU tokens. Branch arms
// not taken never start; maps honour @concurrency and @min_success; failures follow the
// workflow's @failure_policy. Each task node runs to completion in the NodeExecutor
// (cache, attempts, retries, its journal record), so that a later `--resume` skips it.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "backends/local/runtime/Cache.h"
#include "backends/local/runtime/Effects.h"
#include "backends/local/runtime/Events.h"
#include "backends/local/runtime/NodeExecutor.h"
#include "backends/local/runtime/NodeTarget.h"
#include "backends/local/runtime/Store.h"
#include "backends/local/runtime/TaskRunner.h"
#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

struct Machine {
  double cpus = 1;
  int64_t mem_bytes = 0;
  int64_t gpus = 0;
  /// This machine's CPUs, memory and visible NVIDIA GPUs.
  static Machine probe();
};

/// The node executor's options, and the scheduler's own. Null runners, clock and file
/// system are the real ones (default_runners() with ProcessSpawner::real(),
/// Clock::system(), FileSystem::real()); tests pass fakes. `events` and `store` must be
/// set.
struct EngineOptions : ExecutorOptions {
  int jobs = 1;  // tasks at once
  Machine machine;
  /// Node key -> its journal record (`outputs`, and `args`: the digest of the arguments
  /// it ran with), from the journal of the run being resumed.
  std::map<std::string, Value> finished;
  /// The node mode (NodeTarget.h): run only this node, reading what it depends on from
  /// the store. Null: the whole workflow.
  const NodeTarget* target = nullptr;
};

struct Outcome {
  enum class Status { Ok, Failed, Interrupted } status = Status::Failed;
  Value outputs;                            // Ok: keyed by output name
  std::string node, task, error, log_tail;  // Failed: the first failure that mattered
};

class Engine {
 public:
  Engine(const ir::Module& m, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs workflow `w` on `inputs` (an object keyed by input name, checked already).
  Outcome run(uint32_t w, const Value& inputs);
  /// Stops the run as SIGINT does: running tasks are killed, nothing new starts, and
  /// run() returns Interrupted. Safe from any thread (not from a signal handler).
  void interrupt();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace flyte::rt
