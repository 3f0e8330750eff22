// The validate-dag pass.
#include "passes/ValidateDag.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_set>

namespace flyte::passes {
namespace {

// The module a run reports about, with the context it reports through.
struct Ctx {
  const ir::Module& m;
  PassContext& pass;
};

class ValidateDag final : public Pass {
 public:
  std::string_view name() const override { return "validate-dag"; }
  std::string_view summary() const override {
    return "checks that workflows are acyclic and not recursive, warns of unused and "
           "unreachable nodes; counts nodes, edges and depth";
  }

  bool is_analysis() const override { return true; }

  void run(ir::Module& m, PassContext& pass) override {
    Ctx ctx{m, pass};
    for (const ir::Workflow& w : m.workflows) {
      workflow(w, ctx);
      unused(w, ctx);
      unreachable(m, w, ctx);
    }
    recursion(m, ctx);
  }

 private:
  static void sources(const ir::ValueRef& v, std::vector<uint32_t>& out) {
    if (v.kind == ir::ValueRef::Kind::NodeOutput || v.kind == ir::ValueRef::Kind::MapItem) {
      out.push_back(v.index);
    }
  }

  // Edges run from a node to the nodes it waits for. A body waits for its parent (the
  // branch or map), and the parent for its bodies' results.
  void workflow(const ir::Workflow& w, Ctx& ctx) {
    size_t n = w.nodes.size();
    std::vector<std::vector<uint32_t>> waits(n);
    uint64_t edges = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const ir::Node& node = w.nodes[i];
      std::vector<uint32_t> from;
      for (const auto& [name, v] : node.inputs) sources(v, from);
      for (const ir::ValueRef& c : node.conditions) sources(c, from);
      // A map body's item refers to the map itself; that is no edge. Every other
      // reference of a node to itself (an `@after` naming its own node, in a plan written
      // by another tool) is a cycle.
      from.erase(std::remove(from.begin(), from.end(), i), from.end());
      for (ir::NodeId a : node.after) from.push_back(a.index);
      // The nodes of a body start once their parent starts; the parent finishes with
      // its bodies' results. Only results from outside the bodies are edges here: an
      // inner result is the parent's own work, not something it waits for.
      std::unordered_set<uint32_t> inside;
      std::function<void(const ir::Node&)> mark = [&](const ir::Node& parent) {
        for (const ir::Body& b : parent.bodies) {
          for (ir::NodeId inner : b.nodes) {
            if (inner.index < n && inside.insert(inner.index).second) mark(w.nodes[inner.index]);
          }
        }
      };
      if (!node.bodies.empty()) mark(node);
      for (const ir::Body& b : node.bodies) {
        for (ir::NodeId inner : b.nodes) waits[inner.index].push_back(i);
        std::vector<uint32_t> result;
        sources(b.result, result);
        for (uint32_t r : result) {
          if (r != i && inside.count(r) == 0) from.push_back(r);
        }
      }
      for (uint32_t f : from) {
        waits[i].push_back(f);
        ++edges;
      }
    }
    count("nodes", "nodes in all workflows", n);
    count("edges", "data, body and @after edges", edges);
    // Depth-first search for a cycle, and the longest chain of waits (the depth). An
    // explicit stack: a 100,000-node chain must not exhaust the call stack.
    std::vector<int> state(n, 0);  // 0 new, 1 on the stack, 2 done
    std::vector<uint64_t> depth(n, 0);
    bool reported = false;
    uint64_t deepest = 0;
    std::vector<std::pair<uint32_t, size_t>> stack;  // node, next wait to look at
    for (uint32_t root = 0; root < n; ++root) {
      if (state[root] != 0) continue;
      stack.push_back({root, 0});
      state[root] = 1;
      while (!stack.empty()) {
        auto& [v, next] = stack.back();
        if (next < waits[v].size()) {
          uint32_t u = waits[v][next++];
          if (state[u] == 0) {
            state[u] = 1;
            stack.push_back({u, 0});
          } else if (state[u] == 1 && !reported) {
            reported = true;
            const ir::Node& node = w.nodes[u];
            ctx.pass.report(
                ctx.m, DiagCode::E0402, node.location,
                fmt::format("dependency cycle in workflow '{}' through node %{}{}", w.name, u,
                            node.name.empty() ? "" : " ('" + node.name + "')"));
          }
          continue;
        }
        uint64_t d = 0;
        for (uint32_t u : waits[v]) {
          if (state[u] == 2) d = std::max(d, depth[u]);
        }
        depth[v] = d + 1;
        deepest = std::max(deepest, depth[v]);
        state[v] = 2;
        stack.pop_back();
      }
    }
    record_max("max-depth", "the longest chain of nodes that wait for each other", deepest);
  }

  // An expression node nothing reads is dead work. Named ones are `let` bindings, which
  // the type checker already reports (W0001) at their source; this catches the rest, in
  // plans that other tools wrote.
  void unused(const ir::Workflow& w, Ctx& ctx) {
    std::vector<bool> used(w.nodes.size(), false);
    auto use = [&](const ir::ValueRef& v) {
      if ((v.kind == ir::ValueRef::Kind::NodeOutput || v.kind == ir::ValueRef::Kind::MapItem) &&
          v.index < used.size())
        used[v.index] = true;
    };
    for (const ir::Node& node : w.nodes) {
      for (const auto& [name, v] : node.inputs) use(v);
      for (const ir::ValueRef& c : node.conditions) use(c);
      for (const ir::Body& b : node.bodies) use(b.result);
      for (ir::NodeId a : node.after) {
        if (a.index < used.size()) used[a.index] = true;
      }
    }
    for (const auto& [name, v] : w.results) use(v);
    for (uint32_t i = 0; i < w.nodes.size(); ++i) {
      const ir::Node& node = w.nodes[i];
      if (used[i] || node.kind != ir::Node::Kind::Expr || !node.name.empty()) continue;
      count("unused", "expression nodes whose value nothing reads");
      ctx.pass.report(ctx.m, DiagCode::W0001, node.location,
                      fmt::format("node %{} ('{}') in workflow '{}' computes a value that "
                                  "nothing uses",
                                  i, node.op, w.name));
    }
  }

  // Branch arms behind a constant condition: `false` never runs its arm, and `true`
  // leaves every later arm (the else included) unreachable.
  void unreachable(const ir::Module& m, const ir::Workflow& w, Ctx& ctx) {
    auto constant = [&](const ir::ValueRef& v) -> std::optional<bool> {
      if (v.kind != ir::ValueRef::Kind::Const || v.index >= m.constants.size()) return std::nullopt;
      const std::string& t = m.constants[v.index].text;
      if (t == "true") return true;
      if (t == "false") return false;
      return std::nullopt;
    };
    for (uint32_t i = 0; i < w.nodes.size(); ++i) {
      const ir::Node& node = w.nodes[i];
      if (node.kind != ir::Node::Kind::Branch) continue;
      for (size_t k = 0; k < node.conditions.size(); ++k) {
        std::optional<bool> c = constant(node.conditions[k]);
        if (!c) continue;
        if (!*c) {
          report_arm(w, i, k, "its condition is always false", ctx);
          continue;
        }
        for (size_t later = k + 1; later < node.bodies.size(); ++later) {
          report_arm(w, i, later, fmt::format("the condition of arm {} is always true", k + 1),
                     ctx);
        }
        break;
      }
    }
  }

  void report_arm(const ir::Workflow& w, uint32_t branch, size_t arm, const std::string& why,
                  Ctx& ctx) {
    const ir::Node& node = w.nodes[branch];
    bool is_else = arm >= node.conditions.size();
    count("unreachable-arms", "branch arms that can never be taken");
    Diagnostic& d = ctx.pass.report(
        ctx.m, DiagCode::W0005, node.location,
        fmt::format("{} of the branch %{} in workflow '{}' is never taken: {}",
                    is_else ? std::string("the else arm") : fmt::format("arm {}", arm + 1), branch,
                    w.name, why));
    const ir::Body& body = node.bodies[arm];
    if (!body.nodes.empty() && body.nodes.front().index < w.nodes.size())
      ctx.pass.note(d, ctx.m, w.nodes[body.nodes.front().index].location, "the arm's first node");
  }

  void recursion(const ir::Module& m, Ctx& ctx) {
    size_t n = m.workflows.size();
    std::vector<int> state(n, 0);
    std::function<void(uint32_t)> visit = [&](uint32_t v) {
      state[v] = 1;
      for (const ir::Node& node : m.workflows[v].nodes) {
        if (node.kind != ir::Node::Kind::Subworkflow || node.callee >= n) continue;
        if (state[node.callee] == 1) {
          ctx.pass.report(ctx.m, DiagCode::E0403, node.location,
                          fmt::format("workflow '{}' calls itself", m.workflows[node.callee].name));
        } else if (state[node.callee] == 0) {
          visit(node.callee);
        }
      }
      state[v] = 2;
    };
    for (uint32_t v = 0; v < n; ++v) {
      if (state[v] == 0) visit(v);
    }
  }
};

}  // namespace

std::unique_ptr<Pass> create_validate_dag() { return std::make_unique<ValidateDag>(); }

}  // namespace flyte::passes
