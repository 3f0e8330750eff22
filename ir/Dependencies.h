// The one dependency analysis of a workflow: which values each node reads
// (`for_each_use`), the edges between nodes that follow from them, from `@after` and
// from branch and map bodies (`build_dependencies`), a topological order with the
// longest chain and, when there is one, a cycle (`order_dependencies`), and the one
// cycle search the compiler uses on any graph (`for_each_cycle`, `find_cycle`).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <utility>
#include <vector>

#include "ir/Ir.h"

namespace flyte::ir {

/// Where a node reads a value: its argument `index` (among Workflow::args_of(node)), the
/// condition of arm `index` of a branch, or the result of body `index`.
struct Use {
  enum class Kind : uint8_t { Input, Condition, BodyResult } kind = Kind::Input;
  uint32_t index = 0;
};

/// Calls `f(value, use)` for every value `n` (a node of `w`) reads, in a fixed order:
/// arguments, then conditions, then body results. The one place that knows which fields
/// of a node refer to values.
template <class F>
void for_each_use(const Workflow& w, const Node& n, F&& f) {
  std::span<const Arg> args = w.args_of(n);
  for (uint32_t i = 0; i < args.size(); ++i) f(args[i].value, Use{Use::Kind::Input, i});
  for (uint32_t i = 0; i < n.conditions().size(); ++i)
    f(n.conditions()[i], Use{Use::Kind::Condition, i});
  for (uint32_t i = 0; i < n.bodies().size(); ++i)
    f(n.bodies()[i].result, Use{Use::Kind::BodyResult, i});
}

/// The node a value comes from (a node's output, or a map's item), or none.
inline bool refers_to_node(const ValueRef& v) {
  return v.kind == ValueRef::Kind::NodeOutput || v.kind == ValueRef::Kind::MapItem;
}

/// For each node of a workflow, the nodes it waits for, stored compactly (one array of
/// offsets, one of targets). A node waits for the nodes whose values it reads, for its
/// `@after` nodes, and for the results of its bodies that come from outside them; the
/// nodes of a body wait for their branch or map. A map's body reading its item is no
/// edge. Indices out of range are left out (the verifier reports them).
class Dependencies {
 public:
  /// The nodes `node` waits for, such as `{3, 7}` for `let c = f(a, b)`.
  std::span<const uint32_t> waits_for(uint32_t node) const {
    return {targets_.data() + offsets_[node], targets_.data() + offsets_[node + 1]};
  }
  uint32_t node_count() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  uint64_t edge_count() const { return targets_.size(); }

 private:
  friend Dependencies build_dependencies(const Workflow& w);
  std::vector<uint32_t> offsets_{0};  // node_count() + 1
  std::vector<uint32_t> targets_;
};

/// Builds the dependencies of `w`'s nodes.
Dependencies build_dependencies(const Workflow& w);

/// A topological order of the nodes, their longest chain, and a cycle if there is one.
struct DependencyOrder {
  /// Every node, each after the nodes it waits for; only a true order when `cycle` is
  /// empty.
  std::vector<uint32_t> order;
  /// A cycle, such as `{0, 1}` when node 0 waits for 1 and 1 for 0: each node waits for
  /// the next and the last for the first. Empty when the graph is acyclic.
  std::vector<uint32_t> cycle;
  /// The longest chain of nodes that wait for each other, counted in nodes.
  uint64_t depth = 0;
};

/// Orders `d` by an iterative depth-first search (a 100,000-node chain needs no deep
/// call stack); the first cycle met is returned.
DependencyOrder order_dependencies(const Dependencies& d);

/// Calls `on_cycle(cycle, wait)` for each wait that closes a cycle, in the order a
/// depth-first search meets them: roots 0, 1, … in order, each node's waits in the order
/// `waits_for(v)` (any range of uint32_t) gives them, over a graph of `node_count` nodes.
/// `cycle` (a `std::span<const uint32_t>`) holds the nodes of the search path from the
/// node waited for to the waiting one: each waits for the next, and the last, through its
/// `wait`th wait, for the first. The search stops when `on_cycle` returns false.
/// Iterative: a 100,000-node chain needs no deep call stack.
template <class WaitsFor, class OnCycle>
void for_each_cycle(uint32_t node_count, WaitsFor&& waits_for, OnCycle&& on_cycle) {
  enum : uint8_t { kNew, kOnPath, kDone };
  std::vector<uint8_t> state(node_count, kNew);
  std::vector<uint32_t> path;  // the nodes of the search path, root first
  std::vector<uint32_t> next;  // for each node of `path`, the index of its next wait
  for (uint32_t root = 0; root < node_count; ++root) {
    if (state[root] != kNew) continue;
    state[root] = kOnPath;
    path.push_back(root);
    next.push_back(0);
    while (!path.empty()) {
      uint32_t v = path.back();
      uint32_t wait = next.back();
      // The range is asked for again at each step: it may be a view made on the fly.
      auto&& waits = waits_for(v);
      auto first = std::begin(waits);
      if (std::distance(first, std::end(waits)) <= static_cast<std::ptrdiff_t>(wait)) {
        state[v] = kDone;
        path.pop_back();
        next.pop_back();
        continue;
      }
      ++next.back();
      auto u = static_cast<uint32_t>(*std::next(first, wait));
      if (state[u] == kNew) {
        state[u] = kOnPath;
        path.push_back(u);
        next.push_back(0);
      } else if (state[u] == kOnPath) {
        auto from = std::find(path.rbegin(), path.rend(), u).base() - 1;
        std::span<const uint32_t> cycle(&*from, static_cast<size_t>(path.end() - from));
        if (!on_cycle(cycle, wait)) return;
      }
    }
  }
}

/// The first cycle a depth-first search finds, trying roots 0, 1, … in order, over a
/// graph of `node_count` nodes where `waits_for(v)` gives v's edges (any range of
/// uint32_t). Each node in the result waits for the next, and the last for the first;
/// empty if acyclic. Such as `{1, 2}` when 1 waits for 2 and 2 for 1.
template <class WaitsFor>
std::vector<uint32_t> find_cycle(uint32_t node_count, WaitsFor&& waits_for) {
  std::vector<uint32_t> found;
  for_each_cycle(node_count, std::forward<WaitsFor>(waits_for),
                 [&](std::span<const uint32_t> cycle, uint32_t) {
                   found.assign(cycle.begin(), cycle.end());
                   return false;
                 });
  return found;
}

}  // namespace flyte::ir
