// Which task nodes of a workflow run as fused GPU stages, computed once per workflow: the
// members of each stage the place-devices pass formed, which of their arguments come from
// other members (and which output), and which members something outside the stage uses.
// A stage is fused only when every member is a builtin task placed on the GPU without
// retries, timeout, checkpoints or caching (those are per-node policies), it has at least
// two members, and each member reads another's output directly (no field of it).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "backends/local/runtime/GraphIndex.h"
#include "ir/Ir.h"

namespace flyte::rt {

struct FusedStage {
  uint32_t number = 0;
  std::vector<uint32_t> nodes;  // producers first
  std::vector<bool> leaves;     // per member: used outside the stage
  /// Per member, per task input: the member and output it takes, or nullopt.
  std::vector<std::vector<std::optional<std::pair<int, size_t>>>> internal;
  double cpu = 1;  // the most any member asks
  int64_t mem = 0, gpu = 0;
};

struct StageIndex {
  std::vector<int32_t> stage_of;        // node -> index into stages, or -1
  std::vector<uint32_t> internal_deps;  // node -> how many of its deps are in its stage
  std::vector<FusedStage> stages;
};

StageIndex build_stage_index(const ir::Module& m, const WorkflowIndex& wf);

}  // namespace flyte::rt
