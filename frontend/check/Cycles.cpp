// Cycle searches: `@after` waits among a workflow's bindings (E0402) and workflows that
// call themselves (E0403), each a depth-first search that names the circle it finds.
#include "frontend/check/Cycles.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>

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

// "a -> b -> a": the members of a circle from `first` to the end of `path`, then `closing`.
template <class It, class Name>
std::string describe_cycle(It first, It last, std::string_view closing, Name name) {
  std::string cycle;
  for (auto it = first; it != last; ++it) cycle += std::string(name(*it)) + " -> ";
  return cycle + std::string(closing);
}

// A wait of one binding for another: a data dependency, or an `@after` argument.
struct Edge {
  size_t to;
  const Expr* after;  // the @after argument, or null for a data dependency
};

}  // namespace

void check_binding_cycles(Context& ctx, const ast::WorkflowDecl* w) {
  if (ctx.afters.empty()) return;  // data dependencies alone only point backwards
  const auto& body = w->body;
  // The statement of the body that binds each slot, from the names the checker resolved.
  constexpr size_t kNone = SIZE_MAX;
  std::vector<size_t> binder(w->slot_count, kNone);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i]->first_slot == ast::kNoSlot) continue;
    for (size_t k = 0; k < body[i]->names.size(); ++k) binder[body[i]->first_slot + k] = i;
  }
  auto statement = [&](uint32_t slot) { return slot < binder.size() ? binder[slot] : kNone; };
  std::vector<std::vector<Edge>> edges(body.size());
  bool any_after = false;
  std::vector<uint32_t> refs;
  for (size_t i = 0; i < body.size(); ++i) {
    refs.clear();
    references(body[i]->value, refs);
    for (uint32_t r : refs) {
      if (size_t to = statement(r); to != kNone && to < i) edges[i].push_back({to, nullptr});
    }
    auto after = ctx.afters.find(body[i]);
    if (after == ctx.afters.end()) continue;
    for (const ast::NameExpr* n : after->second) {
      size_t to = statement(n->slot);
      if (to == kNone) continue;
      edges[i].push_back({to, n});
      any_after = true;
    }
  }
  if (!any_after) return;
  auto name_of = [&](size_t v) -> std::string_view {
    return body[v]->names.empty() ? "?" : body[v]->names[0].name;
  };
  std::vector<int> state(body.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<size_t> path;
  std::function<bool(size_t)> dfs = [&](size_t v) {
    state[v] = 1;
    path.push_back(v);
    for (const Edge& e : edges[v]) {
      if (state[e.to] == 1) {
        auto from = std::find(path.begin(), path.end(), e.to);
        std::string cycle = describe_cycle(from, path.end(), name_of(e.to), name_of);
        const Expr* at = e.after;
        for (auto it = from; at == nullptr && it != path.end(); ++it) {
          for (const Edge& e2 : edges[*it]) {
            if (e2.after != nullptr) at = e2.after;
          }
        }
        ctx.error(DiagCode::E0402, at != nullptr ? at->range : body[v]->range,
                  fmt::format("dependency cycle in workflow '{}': {} (each waits for the next)",
                              w->name.name, cycle));
        return true;
      }
      if (state[e.to] == 0 && dfs(e.to)) return true;
    }
    state[v] = 2;
    path.pop_back();
    return false;
  };
  for (size_t v = 0; v < body.size(); ++v) {
    if (state[v] == 0 && dfs(v)) return;
  }
}

void check_recursion(Context& ctx) {
  std::unordered_map<const ast::Decl*, int> state;
  std::vector<const ast::Decl*> path;
  auto name_of = [](const ast::Decl* d) { return d->name.name; };
  std::function<void(const ast::Decl*)> dfs = [&](const ast::Decl* v) {
    state[v] = 1;
    path.push_back(v);
    for (const auto& [to, call] : ctx.calls[v]) {
      if (state[to] == 1) {
        std::string cycle = describe_cycle(std::find(path.begin(), path.end(), to), path.end(),
                                           to->name.name, name_of);
        ctx.error(DiagCode::E0403, call->range,
                  fmt::format("workflow '{}' calls itself: {}", to->name.name, cycle));
      } else if (state[to] == 0) {
        dfs(to);
      }
    }
    state[v] = 2;
    path.pop_back();
  };
  for (const auto& m : ctx.program.modules) {
    for (const ast::Decl* d : m->ast->decls) {
      if (d->kind == ast::DeclKind::Workflow && state[d] == 0) dfs(d);
    }
  }
}

}  // namespace flyte::check
