// The validate-dag pass.
#include "passes/ValidateDag.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "ir/Dependencies.h"
#include "ir/Printer.h"

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
  // The one dependency analysis (ir/Dependencies.h): its counts, its longest chain, and
  // the first cycle it finds, reported at the node that closes it with a note at each
  // other node on it.
  void workflow(const ir::Workflow& w, Ctx& ctx) {
    ir::Dependencies deps = ir::build_dependencies(w);
    count("nodes", "nodes in all workflows", w.nodes.size());
    count("edges", "data, body and @after edges", deps.edge_count());
    ir::DependencyOrder order = ir::order_dependencies(deps);
    record_max("max-depth", "the longest chain of nodes that wait for each other", order.depth);
    if (order.cycle.empty()) return;
    uint32_t u = order.cycle.front();
    const ir::Node& node = w.nodes[u];
    Diagnostic& d =
        ctx.pass.report(ctx.m, DiagCode::E0402, node.location,
                        fmt::format("dependency cycle in workflow '{}' through node %{}{}", w.name,
                                    u, node.name.empty() ? "" : " ('" + node.name + "')"));
    for (size_t k = 0; k < order.cycle.size(); ++k) {
      uint32_t from = order.cycle[k];
      uint32_t to = order.cycle[(k + 1) % order.cycle.size()];
      ctx.pass.note(d, ctx.m, w.nodes[from].location, fmt::format("%{} waits for %{}", from, to));
    }
  }

  // An expression node nothing reads is dead work. Named ones are `let` bindings, which
  // the type checker already reports (W0001) at their source; this catches the rest, in
  // plans that other tools wrote.
  void unused(const ir::Workflow& w, Ctx& ctx) {
    std::vector<bool> used(w.nodes.size(), false);
    auto use = [&](const ir::ValueRef& v, ir::Use = {}) {
      if (ir::refers_to_node(v) && v.index < used.size()) used[v.index] = true;
    };
    for (const ir::Node& node : w.nodes) {
      ir::for_each_use(w, node, use);
      for (ir::NodeId a : node.after()) {
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
                                  i, ir::expr_op_text(ctx.m.types, node), w.name));
    }
  }

  // Branch arms behind a constant condition: `false` never runs its arm, and `true`
  // leaves every later arm (the else included) unreachable.
  void unreachable(const ir::Module& m, const ir::Workflow& w, Ctx& ctx) {
    auto constant = [&](const ir::ValueRef& v) -> std::optional<bool> {
      if (v.kind != ir::ValueRef::Kind::Const || v.index >= m.constants.size()) return std::nullopt;
      const ir::Value& c = m.constants[v.index].value;
      if (c.kind() != ir::Value::Kind::Bool) return std::nullopt;
      return c.as_bool();
    };
    for (uint32_t i = 0; i < w.nodes.size(); ++i) {
      const ir::Node& node = w.nodes[i];
      if (node.kind != ir::Node::Kind::Branch) continue;
      for (size_t k = 0; k < node.conditions().size(); ++k) {
        std::optional<bool> c = constant(node.conditions()[k]);
        if (!c) continue;
        if (!*c) {
          report_arm(w, i, k, "its condition is always false", ctx);
          continue;
        }
        for (size_t later = k + 1; later < node.bodies().size(); ++later) {
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
    bool is_else = arm >= node.conditions().size();
    count("unreachable-arms", "branch arms that can never be taken");
    Diagnostic& d = ctx.pass.report(
        ctx.m, DiagCode::W0005, node.location,
        fmt::format("{} of the branch %{} in workflow '{}' is never taken: {}",
                    is_else ? std::string("the else arm") : fmt::format("arm {}", arm + 1), branch,
                    w.name, why));
    const ir::Body& body = node.bodies()[arm];
    if (!body.nodes.empty() && body.nodes.front().index < w.nodes.size())
      ctx.pass.note(d, ctx.m, w.nodes[body.nodes.front().index].location, "the arm's first node");
  }

  void recursion(const ir::Module& m, Ctx& ctx) {
    size_t n = m.workflows.size();
    std::vector<int> state(n, 0);
    std::function<void(uint32_t)> visit = [&](uint32_t v) {
      state[v] = 1;
      for (const ir::Node& node : m.workflows[v].nodes) {
        uint32_t callee = node.workflow.index;
        if (node.kind != ir::Node::Kind::Subworkflow || callee >= n) continue;
        if (state[callee] == 1) {
          ctx.pass.report(ctx.m, DiagCode::E0403, node.location,
                          fmt::format("workflow '{}' calls itself", m.workflows[callee].name));
        } else if (state[callee] == 0) {
          visit(callee);
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
