// Cycle searches: `@after` waits among a workflow's bindings (E0402) and workflows that
// call themselves (E0403), each with the IR's cycle search (ir/Dependencies.h) over a graph
// of numbered nodes, naming the circle it finds.
#include "frontend/check/Cycles.h"

#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/Dependencies.h"

namespace flyte::check {
namespace {

void block_references(const ast::Block* b, std::vector<uint32_t>& out);

// The slots a statement's value refers to (its data dependencies), nested blocks
// included.
void references(const Expr* e, std::vector<uint32_t>& out) {
  if (e == nullptr) return;
  switch (e->kind) {
    case ExprKind::Name: out.push_back(static_cast<const ast::NameExpr*>(e)->slot); break;
    case ExprKind::Field: references(static_cast<const ast::FieldExpr*>(e)->base, out); break;
    case ExprKind::Call:
      for (const auto& a : static_cast<const ast::CallExpr*>(e)->args) references(a.value, out);
      break;
    case ExprKind::Unary: references(static_cast<const ast::UnaryExpr*>(e)->operand, out); break;
    case ExprKind::Binary:
      references(static_cast<const ast::BinaryExpr*>(e)->lhs, out);
      references(static_cast<const ast::BinaryExpr*>(e)->rhs, out);
      break;
    case ExprKind::Tuple:
      for (const auto& f : static_cast<const ast::TupleExpr*>(e)->fields) references(f.value, out);
      break;
    case ExprKind::List:
      for (const Expr* x : static_cast<const ast::ListExpr*>(e)->elements) references(x, out);
      break;
    case ExprKind::Map:
      for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) references(m.value, out);
      break;
    case ExprKind::Struct:
      for (const auto& f : static_cast<const ast::StructExpr*>(e)->fields) references(f.value, out);
      break;
    case ExprKind::If: {
      auto* i = static_cast<const ast::IfExpr*>(e);
      for (const auto& arm : i->arms) {
        references(arm.cond, out);
        block_references(arm.body, out);
      }
      block_references(i->else_body, out);
      break;
    }
    case ExprKind::For: {
      auto* f = static_cast<const ast::ForExpr*>(e);
      references(f->iterable, out);
      block_references(f->body, out);
      break;
    }
    case ExprKind::Fail: references(static_cast<const ast::FailExpr*>(e)->message, out); break;
    default: break;
  }
}

void block_references(const ast::Block* b, std::vector<uint32_t>& out) {
  if (b == nullptr) return;
  for (const ast::Stmt* s : b->lets) references(s->value, out);
  references(b->value, out);
}

// "a -> b -> a": the members of a circle from `first` to `last`, then `closing`.
template <class It, class Name>
std::string describe_cycle(It first, It last, std::string_view closing, Name name) {
  std::string cycle;
  for (auto it = first; it != last; ++it) cycle += std::string(name(*it)) + " -> ";
  return cycle + std::string(closing);
}

// A wait of one binding for another: a data dependency, or an `@after` argument.
struct Edge {
  uint32_t to;
  const Expr* after;  // the @after argument, or null for a data dependency
};

}  // namespace

void check_binding_cycles(Context& ctx, const ast::WorkflowDecl* w) {
  if (ctx.afters.empty()) return;  // data dependencies alone only point backwards
  const auto& body = w->body;
  // The statement of the body that binds each slot, from the names the checker resolved.
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> binder(w->slot_count, kNone);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i]->first_slot == ast::kNoSlot) continue;
    for (size_t k = 0; k < body[i]->names.size(); ++k) {
      binder[body[i]->first_slot + k] = static_cast<uint32_t>(i);
    }
  }
  auto statement = [&](uint32_t slot) { return slot < binder.size() ? binder[slot] : kNone; };
  std::vector<std::vector<Edge>> edges(body.size());
  bool any_after = false;
  std::vector<uint32_t> refs;
  for (size_t i = 0; i < body.size(); ++i) {
    refs.clear();
    references(body[i]->value, refs);
    for (uint32_t r : refs) {
      if (uint32_t to = statement(r); to != kNone && to < i) edges[i].push_back({to, nullptr});
    }
    auto after = ctx.afters.find(body[i]);
    if (after == ctx.afters.end()) continue;
    for (const ast::NameExpr* n : after->second) {
      uint32_t to = statement(n->slot);
      if (to == kNone) continue;
      edges[i].push_back({to, n});
      any_after = true;
    }
  }
  if (!any_after) return;
  auto name_of = [&](uint32_t v) -> std::string_view {
    return body[v]->names.empty() ? "?" : body[v]->names[0].name;
  };
  std::vector<std::vector<uint32_t>> waits(body.size());
  for (size_t v = 0; v < body.size(); ++v) {
    for (const Edge& e : edges[v]) waits[v].push_back(e.to);
  }
  ir::for_each_cycle(
      static_cast<uint32_t>(body.size()),
      [&](uint32_t v) -> const std::vector<uint32_t>& { return waits[v]; },
      [&](std::span<const uint32_t> cycle, uint32_t wait) {
        // Reported at the `@after` that closes the circle, else at the last `@after` of the
        // first statement on it that has one.
        const Expr* at = edges[cycle.back()][wait].after;
        for (auto it = cycle.begin(); at == nullptr && it != cycle.end(); ++it) {
          for (const Edge& e : edges[*it]) {
            if (e.after != nullptr) at = e.after;
          }
        }
        std::string text =
            describe_cycle(cycle.begin(), cycle.end(), name_of(cycle.front()), name_of);
        ctx.error(DiagCode::E0402, at != nullptr ? at->range : body[cycle.back()]->range,
                  fmt::format("dependency cycle in workflow '{}': {} (each waits for the next)",
                              w->name.name, text));
        return false;  // one report per workflow
      });
}

void check_recursion(Context& ctx) {
  // The workflows, numbered in the order of their modules and declarations, so that the
  // search starts from them in that order; then each one's calls of workflows, in order.
  std::vector<const ast::Decl*> decls;
  std::unordered_map<const ast::Decl*, uint32_t> index;
  auto number = [&](const ast::Decl* d) {
    auto [it, added] = index.try_emplace(d, static_cast<uint32_t>(decls.size()));
    if (added) decls.push_back(d);
    return it->second;
  };
  for (const auto& m : ctx.program.modules) {
    for (const ast::Decl* d : m->ast->decls) {
      if (d->kind == ast::DeclKind::Workflow) number(d);
    }
  }
  std::vector<std::vector<uint32_t>> edges;
  std::vector<const std::vector<std::pair<const ast::Decl*, const ast::CallExpr*>>*> calls;
  static const std::vector<std::pair<const ast::Decl*, const ast::CallExpr*>> kNoCalls;
  for (size_t v = 0; v < decls.size(); ++v) {  // `decls` grows if a callee is not numbered
    auto found = ctx.calls.find(decls[v]);
    calls.push_back(found != ctx.calls.end() ? &found->second : &kNoCalls);
    edges.emplace_back();
    for (const auto& [to, call] : *calls.back()) edges.back().push_back(number(to));
  }
  auto name_of = [&](uint32_t v) { return decls[v]->name.name; };
  ir::for_each_cycle(
      static_cast<uint32_t>(decls.size()), [&](uint32_t v) -> const auto& { return edges[v]; },
      [&](std::span<const uint32_t> cycle, uint32_t wait) {
        const ast::Decl* to = decls[cycle.front()];
        std::string text = describe_cycle(cycle.begin(), cycle.end(), to->name.name, name_of);
        ctx.error(DiagCode::E0403, (*calls[cycle.back()])[wait].second->range,
                  fmt::format("workflow '{}' calls itself: {}", to->name.name, text));
        return true;  // every circle, once
      });
}

}  // namespace flyte::check
