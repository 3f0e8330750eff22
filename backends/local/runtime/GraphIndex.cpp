// Building the scheduler's view of a workflow.
#include "backends/local/runtime/GraphIndex.h"

#include <algorithm>

namespace flyte::rt {
namespace {

void refs_of(const ir::ValueRef& v, std::vector<uint32_t>& out) {
  if (v.kind == ir::ValueRef::Kind::NodeOutput || v.kind == ir::ValueRef::Kind::MapItem)
    out.push_back(v.index);
}

}  // namespace

std::unique_ptr<WorkflowIndex> build_index(const ir::Workflow& w) {
  auto ix = std::make_unique<WorkflowIndex>();
  ix->w = &w;
  size_t n = w.nodes.size();
  ix->owner.assign(n, 0);
  ix->pos.assign(n, 0);
  ix->node_bodies.resize(n);
  ix->deps.resize(n);
  ix->dependents.resize(n);
  ix->bodies.push_back({{}, nullptr, UINT32_MAX});
  for (ir::NodeId id : w.top) ix->bodies[0].nodes.push_back(id.index);
  // Bodies in node order: a body's nodes come after its parent (the verifier checks).
  for (uint32_t i = 0; i < n; ++i) {
    for (const ir::Body& b : w.nodes[i].bodies) {
      BodyInfo info;
      info.body = &b;
      info.parent_node = i;
      for (ir::NodeId id : b.nodes) info.nodes.push_back(id.index);
      ix->node_bodies[i].push_back(static_cast<uint32_t>(ix->bodies.size()));
      ix->bodies.push_back(std::move(info));
    }
  }
  for (uint32_t b = 0; b < ix->bodies.size(); ++b) {
    const std::vector<uint32_t>& nodes = ix->bodies[b].nodes;
    for (uint32_t p = 0; p < nodes.size(); ++p) {
      ix->owner[nodes[p]] = b;
      ix->pos[nodes[p]] = p;
    }
  }
  // Every reference a node makes, its bodies' included (children before parents:
  // bodies' nodes have higher indices, so walk backwards).
  std::vector<std::vector<uint32_t>> refs(n);
  for (uint32_t i = static_cast<uint32_t>(n); i-- > 0;) {
    const ir::Node& node = w.nodes[i];
    for (const auto& [name, v] : node.inputs) refs_of(v, refs[i]);
    for (const ir::ValueRef& c : node.conditions) refs_of(c, refs[i]);
    for (ir::NodeId a : node.after) refs[i].push_back(a.index);
    for (const ir::Body& b : node.bodies) {
      refs_of(b.result, refs[i]);
      for (ir::NodeId inner : b.nodes) {
        refs[i].insert(refs[i].end(), refs[inner.index].begin(), refs[inner.index].end());
      }
    }
    std::sort(refs[i].begin(), refs[i].end());
    refs[i].erase(std::unique(refs[i].begin(), refs[i].end()), refs[i].end());
  }
  // Map each reference to the node of the referrer's own body that contains it; one in
  // an enclosing body is ready before the body starts, one inside the node is its own.
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t body = ix->owner[i];
    for (uint32_t r : refs[i]) {
      uint32_t a = r;
      while (a != i && ix->owner[a] != body && ix->owner[a] != 0)
        a = ix->bodies[ix->owner[a]].parent_node;
      if (a == i || ix->owner[a] != body) continue;
      ix->deps[i].push_back(a);
    }
    std::sort(ix->deps[i].begin(), ix->deps[i].end());
    ix->deps[i].erase(std::unique(ix->deps[i].begin(), ix->deps[i].end()), ix->deps[i].end());
    for (uint32_t d : ix->deps[i]) ix->dependents[d].push_back(i);
  }
  return ix;
}

}  // namespace flyte::rt
