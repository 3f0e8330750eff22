// The dependency analysis: edges, topological order, longest chain and cycles.
#include "ir/Dependencies.h"

#include <algorithm>
#include <utility>

namespace flyte::ir {

Dependencies build_dependencies(const Workflow& w) {
  const auto n = static_cast<uint32_t>(w.nodes.size());
  // (waiting node, node waited for), then grouped by the waiting node.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  edges.reserve(static_cast<size_t>(n) * 2);
  std::vector<uint32_t> inside_mark(n, UINT32_MAX);  // node -> the parent whose bodies hold it
  std::vector<uint32_t> stack;
  for (uint32_t i = 0; i < n; ++i) {
    const Node& node = w.nodes[i];
    // The nodes inside this node's bodies, at any depth: a result computed inside is
    // the parent's own work, not something it waits for.
    if (!node.bodies().empty()) {
      for (const Body& b : node.bodies()) {
        for (NodeId inner : b.nodes) {
          if (inner.index < n && inner.index != i) stack.push_back(inner.index);
        }
      }
      while (!stack.empty()) {
        uint32_t v = stack.back();
        stack.pop_back();
        if (inside_mark[v] == i) continue;
        inside_mark[v] = i;
        for (const Body& b : w.nodes[v].bodies()) {
          for (NodeId inner : b.nodes) {
            if (inner.index < n && inside_mark[inner.index] != i) stack.push_back(inner.index);
          }
        }
      }
    }
    for_each_use(w, node, [&](const ValueRef& v, Use use) {
      if (!refers_to_node(v) || v.index >= n) return;
      if (use.kind == Use::Kind::BodyResult) {
        if (v.index != i && inside_mark[v.index] != i) edges.emplace_back(i, v.index);
      } else if (v.index != i) {  // a map body's item refers to the map: no edge
        edges.emplace_back(i, v.index);
      }
    });
    // An `@after` naming the node itself (in a plan another tool wrote) is a cycle.
    for (NodeId a : node.after()) {
      if (a.index < n) edges.emplace_back(i, a.index);
    }
    for (const Body& b : node.bodies()) {
      for (NodeId inner : b.nodes) {
        if (inner.index < n) edges.emplace_back(inner.index, i);
      }
    }
  }
  Dependencies d;
  d.offsets_.assign(static_cast<size_t>(n) + 1, 0);
  for (const auto& [from, to] : edges) ++d.offsets_[from + 1];
  for (uint32_t i = 0; i < n; ++i) d.offsets_[i + 1] += d.offsets_[i];
  d.targets_.resize(edges.size());
  std::vector<uint32_t> next(d.offsets_.begin(), d.offsets_.end() - 1);
  for (const auto& [from, to] : edges) d.targets_[next[from]++] = to;
  return d;
}

DependencyOrder order_dependencies(const Dependencies& d) {
  const uint32_t n = d.node_count();
  DependencyOrder out;
  out.order.reserve(n);
  enum : uint8_t { kNew, kOnStack, kDone };
  std::vector<uint8_t> state(n, kNew);
  std::vector<uint64_t> depth(n, 0);
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // node, next of its waits to look at
  bool cyclic = false;                               // a wait for a node on the stack was seen
  for (uint32_t root = 0; root < n; ++root) {
    if (state[root] != kNew) continue;
    stack.push_back({root, 0});
    state[root] = kOnStack;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      std::span<const uint32_t> waits = d.waits_for(v);
      if (next < waits.size()) {
        uint32_t u = waits[next++];
        if (state[u] == kNew) {
          state[u] = kOnStack;
          stack.push_back({u, 0});
        } else if (state[u] == kOnStack) {
          cyclic = true;
        }
        continue;
      }
      uint64_t deepest = 0;
      for (uint32_t u : waits) {
        if (state[u] == kDone) deepest = std::max(deepest, depth[u]);
      }
      depth[v] = deepest + 1;
      out.depth = std::max(out.depth, depth[v]);
      state[v] = kDone;
      out.order.push_back(v);
      stack.pop_back();
    }
  }
  // The same search order finds the same first cycle; only a cyclic graph pays for it.
  if (cyclic) out.cycle = find_cycle(n, [&](uint32_t v) { return d.waits_for(v); });
  return out;
}

}  // namespace flyte::ir
