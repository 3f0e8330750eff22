// What the distributed backends need to know of a node beyond its key: a readable label
// for its job, and which top-level node owns the nodes nested in its bodies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::ir {

/// A short readable name of `n`: its task's or called workflow's name, else its kind.
std::string node_label(const Module& m, const Node& n);

/// Marks each node of `nodes`, and every node nested in their bodies, as owned by `owner`
/// (`owners` is indexed by node).
void mark_owner(const Workflow& w, const std::vector<NodeId>& nodes, uint32_t owner,
                std::vector<uint32_t>& owners);

}  // namespace flyte::ir
