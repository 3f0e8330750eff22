// Building the scheduler's view of a workflow.
#include "backends/local/runtime/GraphIndex.h"

#include <algorithm>

#include "ir/Dependencies.h"

namespace flyte::rt {

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
    for (const ir::Body& b : w.nodes[i].bodies()) {
      BodyInfo info;
      info.body = &b;
      info.parent_node = i;
      for (ir::NodeId id : b.nodes) info.nodes.push_back(id.index);
      ix->node_bodies[i].push_back(static_cast<uint32_t>(ix->bodies.size()));
      ix->bodies.push_back(std::move(info));
    }
  }
  // How deeply each body nests: the top level is 0; a body's parent node comes before it.
  std::vector<uint32_t> depth(ix->bodies.size(), 0);
  for (uint32_t b = 0; b < ix->bodies.size(); ++b) {
    const std::vector<uint32_t>& nodes = ix->bodies[b].nodes;
    for (uint32_t p = 0; p < nodes.size(); ++p) {
      ix->owner[nodes[p]] = b;
      ix->pos[nodes[p]] = p;
    }
    if (b > 0) depth[b] = depth[ix->owner[ix->bodies[b].parent_node]] + 1;
  }
  auto parent = [&](uint32_t node) { return ix->bodies[ix->owner[node]].parent_node; };
  // The edges are ir/Dependencies.h's, the one definition of what waits for what. The
  // scheduler runs one body at a time, so each edge `x waits for r` becomes an edge
  // between the nodes that hold x and r in the innermost body holding both: a branch or
  // map waits for whatever its bodies read from outside; a node of a body never waits
  // for its own parent or for nodes of enclosing bodies (those are done before the body
  // starts), and a parent never waits for its own bodies' nodes.
  ir::Dependencies d = ir::build_dependencies(w);
  for (uint32_t x = 0; x < n; ++x) {
    for (uint32_t r : d.waits_for(x)) {
      uint32_t a = x;
      uint32_t b = r;
      while (depth[ix->owner[a]] > depth[ix->owner[b]]) a = parent(a);
      while (depth[ix->owner[b]] > depth[ix->owner[a]]) b = parent(b);
      while (ix->owner[a] != ix->owner[b]) {
        a = parent(a);
        b = parent(b);
      }
      if (a != b) ix->deps[a].push_back(b);
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<uint32_t>& deps = ix->deps[i];
    if (deps.size() > 1) {
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    }
    for (uint32_t dep : deps) ix->dependents[dep].push_back(i);
  }
  return ix;
}

}  // namespace flyte::rt
