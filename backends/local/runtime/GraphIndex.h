// What the scheduler needs to know of a workflow's graph, computed once: which body
// each node belongs to (the top level, a branch arm, a map body), and for each node the
// nodes of its own body it must wait for. A branch or map node waits for everything its
// bodies read from outside them, so that a body never starts before the values it
// uses exist.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ir/Ir.h"

namespace flyte::rt {

struct BodyInfo {
  std::vector<uint32_t> nodes;
  const ir::Body* body = nullptr;  // null for the workflow's top level
  uint32_t parent_node = UINT32_MAX;
};

struct WorkflowIndex {
  const ir::Workflow* w = nullptr;
  std::vector<BodyInfo> bodies;                    // [0] is the top level
  std::vector<uint32_t> owner;                     // node -> body
  std::vector<uint32_t> pos;                       // node -> position in its body
  std::vector<std::vector<uint32_t>> node_bodies;  // node -> its bodies (branch arms, map)
  std::vector<std::vector<uint32_t>> deps;         // node -> nodes of its body it waits for
  std::vector<std::vector<uint32_t>> dependents;   // the reverse
};

std::unique_ptr<WorkflowIndex> build_index(const ir::Workflow& w);

}  // namespace flyte::rt
