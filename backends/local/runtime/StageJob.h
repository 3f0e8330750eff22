// One fused GPU stage as the scheduler runs it: the stage's task nodes (builtin tensor
// tasks the place-devices pass grouped) run as one unit on a Device through the stage
// executor (gpu/Stage.h), then each node is kept in the store and journal as if it had
// run alone. docs/runtime.md, "GPU stages".
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/local/runtime/NodeExecutor.h"
#include "backends/local/runtime/Value.h"
#include "backends/local/runtime/gpu/Device.h"
#include "ir/Ir.h"

namespace flyte::rt {

struct StageMember {
  std::string key;
  const ir::Node* node = nullptr;
  /// Its arguments by parameter name; those that come from another member are null.
  Value args;
  /// Per task input: the member (an index, earlier) and output it takes, or nullopt.
  std::vector<std::optional<std::pair<int, size_t>>> internal;
  /// True when something outside the stage uses its outputs.
  bool leaves = false;
};

struct StageJobOptions {
  ExecutorOptions executor;  // store, events
  const NodeExecutor* node_executor = nullptr;
  gpu::Device* device = nullptr;
  double threads = 1;
};

/// Runs stage `number` of `members` (producers first) with its files in `dir`: each
/// member's outputs object (outputs only the stage used are null), or nullopt with
/// `failure` naming the member at fault.
std::optional<std::vector<Value>> run_stage_job(const ir::Module& m, const StageJobOptions& o,
                                                uint32_t number,
                                                const std::vector<StageMember>& members,
                                                const std::string& dir,
                                                const std::atomic<bool>& cancel, Failure& failure);

}  // namespace flyte::rt
