// Workflows and statements: workflow bodies, `let` bindings and destructuring, `return`
// against the declared outputs, `@after` names, launches, blocks, `if` and `for`.
#include "frontend/check/Workflows.h"

#include <fmt/format.h>

#include <algorithm>

#include "frontend/Annotations.h"
#include "frontend/check/Cycles.h"
#include "frontend/check/Declarations.h"
#include "frontend/check/Expressions.h"
#include "frontend/check/Lookup.h"
#include "frontend/check/Types.h"

namespace flyte::check {
namespace {

// Binds every name of a destructuring `let` to the poisoned type.
void bind_poisoned(Context& ctx, const ast::Stmt* s) {
  for (size_t i = 0; i < s->names.size(); ++i) {
    bind(ctx, s->names[i], ctx.types.error(), false, ctx.sema.slot_of(s, i));
  }
}

void check_let(Context& ctx, const ast::Stmt* s) {
  AnnotationPlace place = s->value->kind == ExprKind::Call  ? AnnotationPlace::CallBinding
                          : s->value->kind == ExprKind::For ? AnnotationPlace::ForBinding
                                                            : AnnotationPlace::Binding;
  AnnotationValues said = check_annotations(s->annotations, place, nullptr, ctx.diags);
  if (!said.after.empty()) ctx.afters[s] = std::move(said.after);
  TypeTable& types = ctx.types;
  TypeId t = check_expr(ctx, s->value, std::nullopt);
  // `@min_success(r)` with r < 1 lets items fail: the list holds `T?`.
  if (place == AnnotationPlace::ForBinding && types.kind(t) == TypeKind::List && said.min_success &&
      *said.min_success < 1.0) {
    t = types.list(types.optional(types.get(t).elem));
  }
  // The names take the next slots once the value (with any blocks in it) is checked.
  s->first_slot = ctx.next_slot;
  ctx.next_slot += static_cast<uint32_t>(s->names.size());
  if (!s->destructure) {
    if (!s->names.empty()) bind(ctx, s->names[0], t, false, s->first_slot);
    return;
  }
  const TypeData& d = types.get(t);
  if (d.kind == TypeKind::Error || d.kind == TypeKind::Never) return bind_poisoned(ctx, s);
  if (d.kind != TypeKind::Outputs) {
    ctx.error(DiagCode::E0301, s->value->range,
              fmt::format("cannot destructure a value of type '{}'; only a call with named "
                          "outputs can be destructured",
                          ctx.str(t)));
    return bind_poisoned(ctx, s);
  }
  if (d.fields.size() != s->names.size()) {
    ctx.error(DiagCode::E0106, s->range,
              fmt::format("'let' binds {} name{} but the call has {} outputs {}", s->names.size(),
                          s->names.size() == 1 ? "" : "s", d.fields.size(), ctx.str(t)));
  }
  for (size_t i = 0; i < s->names.size(); ++i) {
    bind(ctx, s->names[i], i < d.fields.size() ? d.fields[i].type : types.error(), false,
         ctx.sema.slot_of(s, i));
  }
}

// `return (a = x, b = y)` of a workflow with named outputs: each output exactly once.
void check_named_return(Context& ctx, const ast::WorkflowDecl* w, const Signature& sig,
                        const ast::Stmt* s, const std::function<void(Diagnostic&)>& decl_note) {
  auto* tuple = static_cast<const ast::TupleExpr*>(s->value);
  std::unordered_map<std::string_view, const ast::FieldInit*> given;
  for (const ast::FieldInit& f : tuple->fields) {
    auto it = std::find_if(sig.outputs.begin(), sig.outputs.end(),
                           [&](const FieldType& o) { return o.name == f.name.name; });
    if (it == sig.outputs.end()) {
      check_expr(ctx, f.value, std::nullopt);
      Diagnostic& d =
          ctx.error(DiagCode::E0401, f.name.range,
                    fmt::format("workflow '{}' has no output '{}'", w->name.name, f.name.name));
      std::vector<std::string_view> names;
      for (const FieldType& o : sig.outputs) names.push_back(o.name);
      Context::suggest(d, f.name.name, names);
      continue;
    }
    if (!given.emplace(f.name.name, &f).second) {
      ctx.error(DiagCode::E0401, f.name.range,
                fmt::format("output '{}' is returned twice", f.name.name));
      continue;
    }
    TypeId t = check_expr(ctx, f.value, it->type);
    if (!convertible(ctx, f.value, t, it->type, nullptr, {})) {
      Diagnostic& d =
          ctx.error(DiagCode::E0401, f.value->range,
                    fmt::format("output '{}' of workflow '{}' is '{}', found '{}'", f.name.name,
                                w->name.name, ctx.str(it->type), ctx.str(t)));
      decl_note(d);
    }
  }
  for (const FieldType& o : sig.outputs) {
    if (given.count(o.name) == 0) {
      Diagnostic& d = ctx.error(
          DiagCode::E0401, s->range,
          fmt::format("output '{}' of workflow '{}' is not returned", o.name, w->name.name));
      decl_note(d);
    }
  }
}

void check_return(Context& ctx, const ast::WorkflowDecl* w, const Signature& sig,
                  const ast::Stmt* s) {
  auto decl_note = [&](Diagnostic& d) {
    if (w->outputs) Context::note(d, "the outputs are declared here", w->outputs->range);
  };
  if (!sig.has_outputs) {
    ctx.error(DiagCode::E0401, s->range,
              fmt::format("workflow '{}' declares no outputs but returns a value", w->name.name));
    check_expr(ctx, s->value, std::nullopt);
    return;
  }
  if (!sig.named_outputs) {
    TypeId t = check_expr(ctx, s->value, sig.outputs[0].type);
    if (!convertible(ctx, s->value, t, sig.outputs[0].type, nullptr, {})) {
      Diagnostic& d =
          ctx.error(DiagCode::E0401, s->value->range,
                    fmt::format("workflow '{}' returns '{}', but its output is '{}'", w->name.name,
                                ctx.str(t), ctx.str(sig.outputs[0].type)));
      decl_note(d);
    }
    return;
  }
  if (s->value->kind != ExprKind::Tuple) {
    TypeId t = check_expr(ctx, s->value, std::nullopt);
    if (ctx.types.kind(t) == TypeKind::Error) return;
    Diagnostic& d = ctx.error(DiagCode::E0401, s->value->range,
                              fmt::format("workflow '{}' has named outputs; return them as "
                                          "(name = value, …)",
                                          w->name.name));
    decl_note(d);
    return;
  }
  check_named_return(ctx, w, sig, s, decl_note);
}

// `@after(a, b)` names bindings of this workflow, earlier or later.
void check_after(Context& ctx, const ast::WorkflowDecl* w) {
  if (ctx.afters.empty()) return;
  for (const ast::Stmt* s : w->body) {
    auto it = ctx.afters.find(s);
    if (it == ctx.afters.end()) continue;
    for (const ast::NameExpr* n : it->second) {
      if (Binding* b = find_binding(ctx, n->name.name)) {
        b->used = true;
        n->slot = b->slot;
        continue;
      }
      ctx.error(DiagCode::E0101, n->range,
                fmt::format("'@after' names '{}', which is not a binding of workflow '{}'",
                            n->name.name, w->name.name));
    }
  }
}

TypeId check_block(Context& ctx, const ast::Block* b, std::optional<TypeId> expected) {
  push_scope(ctx);
  for (const ast::Stmt* s : b->lets) check_let(ctx, s);
  TypeId t = check_expr(ctx, b->value, expected);
  pop_scope(ctx);
  return t;
}

void check_condition(Context& ctx, const Expr* c) {
  TypeId t = check_expr(ctx, c, ctx.types.bool_());
  TypeKind k = ctx.types.kind(t);
  if (k != TypeKind::Bool && k != TypeKind::Error) {
    ctx.error(DiagCode::E0304, c->range,
              fmt::format("the condition of 'if' must be a bool, found '{}'", ctx.str(t)));
  }
}

}  // namespace

void check_workflow(Context& ctx, const ast::WorkflowDecl* w) {
  const Signature& sig = signature(ctx, w);
  ctx.current_workflow = w;
  ctx.afters.clear();
  reset_scopes(ctx);
  // About one binding per statement: growing neither table as it goes saves rehashing
  // in a workflow of 100,000 statements.
  ctx.bindings.reserve(w->params.size() + w->body.size());
  ctx.visible.reserve(w->params.size() + w->body.size());
  push_scope(ctx);
  for (size_t i = 0; i < w->params.size(); ++i)
    bind(ctx, w->params[i].name, sig.param_types[i], true, Semantics::param_slot(i));
  ctx.next_slot = static_cast<uint32_t>(w->params.size());
  push_scope(ctx);
  const ast::Stmt* ret = nullptr;
  for (const ast::Stmt* s : w->body) {
    if (s->kind == ast::Stmt::Kind::Let) {
      check_let(ctx, s);
      continue;
    }
    if (ret != nullptr) {
      Diagnostic& d = ctx.error(DiagCode::E0401, s->range, "a workflow returns once");
      Context::note(d, "the first 'return' is here", ret->range);
      continue;
    }
    ret = s;
    check_return(ctx, w, sig, s);
  }
  w->slot_count = ctx.next_slot;
  check_after(ctx, w);
  check_binding_cycles(ctx, w);
  if (ret == nullptr && sig.has_outputs) {
    ctx.error(DiagCode::E0401, w->outputs->range,
              fmt::format("workflow '{}' declares outputs but has no 'return'", w->name.name));
  }
  pop_scope(ctx);
  pop_scope(ctx);
  ctx.current_workflow = nullptr;
}

void check_launch(Context& ctx, const ast::LaunchDecl* l) {
  if (l->call == nullptr) return;
  reset_scopes(ctx);
  push_scope(ctx);
  const Decl* callee = nullptr;
  check_call(ctx, l->call, &callee);
  if (callee != nullptr && callee->kind != DeclKind::Workflow) {
    Diagnostic& d = ctx.error(DiagCode::E0103, l->call->callee.range,
                              fmt::format("a launch runs a workflow; '{}' is a {}",
                                          l->call->callee.str(), kind_name(callee->kind)));
    Context::note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
  }
  reset_scopes(ctx);
}

TypeId check_if(Context& ctx, const ast::IfExpr* i, std::optional<TypeId> expected) {
  std::vector<std::pair<TypeId, const ast::Block*>> arms;
  for (const ast::IfArm& a : i->arms) {
    check_condition(ctx, a.cond);
    arms.emplace_back(check_block(ctx, a.body, expected), a.body);
  }
  arms.emplace_back(check_block(ctx, i->else_body, expected), i->else_body);
  std::optional<std::pair<TypeId, const ast::Block*>> first;
  for (const auto& arm : arms) {
    TypeKind k = ctx.types.kind(arm.first);
    if (k == TypeKind::Error) return arm.first;
    if (k == TypeKind::Never) continue;
    if (!first) {
      first = arm;
      continue;
    }
    if (arm.first == first->first) continue;
    if (convertible(ctx, arm.second->value, arm.first, first->first, nullptr, {})) continue;
    if (convertible(ctx, first->second->value, first->first, arm.first, nullptr, {})) {
      first = arm;
      continue;
    }
    Diagnostic& d =
        ctx.error(DiagCode::E0305, arm.second->value->range,
                  fmt::format("the arms of this 'if' have different types: '{}' and '{}'",
                              ctx.str(first->first), ctx.str(arm.first)));
    Context::note(d, fmt::format("this arm has type '{}'", ctx.str(first->first)),
                  first->second->value->range);
    return ctx.types.error();
  }
  return first ? first->first : ctx.types.never();
}

TypeId check_for(Context& ctx, const ast::ForExpr* f) {
  TypeId t = check_expr(ctx, f->iterable, std::nullopt);
  TypeId elem = ctx.types.error();
  if (ctx.types.kind(t) == TypeKind::List) {
    elem = ctx.types.get(t).elem;
  } else if (ctx.types.kind(t) != TypeKind::Error) {
    ctx.error(DiagCode::E0306, f->iterable->range,
              fmt::format("'for' iterates over a List, found '{}'", ctx.str(t)));
  }
  push_scope(ctx);
  f->var_slot = ctx.next_slot++;
  if (Binding* b = bind(ctx, f->var, elem, false, f->var_slot))
    b->used = true;  // a loop variable may go unused
  TypeId body = check_block(ctx, f->body, std::nullopt);
  pop_scope(ctx);
  if (ctx.types.kind(body) == TypeKind::Error) return body;
  return ctx.types.list(body);
}

}  // namespace flyte::check
