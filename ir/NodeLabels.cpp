// Node labels and body ownership for the distributed backends (see NodeLabels.h).
#include "ir/NodeLabels.h"

namespace flyte::ir {

std::string node_label(const Module& m, const Node& n) {
  switch (n.kind) {
    case Node::Kind::Task:
      return n.task.index < m.tasks.size() ? m.tasks[n.task.index].name : "task";
    case Node::Kind::Subworkflow:
      return n.workflow.index < m.workflows.size() ? m.workflows[n.workflow.index].name
                                                   : "workflow";
    case Node::Kind::Branch: return "branch";
    case Node::Kind::Map: return "map";
    case Node::Kind::Fail: return "fail";
    case Node::Kind::Expr: return "expr";
  }
  return "node";
}

void mark_owner(const Workflow& w, const std::vector<NodeId>& nodes, uint32_t owner,
                std::vector<uint32_t>& owners) {
  for (NodeId id : nodes) {
    if (id.index >= w.nodes.size()) continue;
    owners[id.index] = owner;
    for (const Body& b : w.nodes[id.index].bodies()) mark_owner(w, b.nodes, owner, owners);
  }
}

}  // namespace flyte::ir
