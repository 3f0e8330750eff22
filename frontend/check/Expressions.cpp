// Expressions: literals, names, field access, calls and their arguments, unary and binary
// operators, and list, map and struct values.
#include "frontend/check/Expressions.h"

#include <fmt/format.h>

#include <algorithm>

#include "frontend/check/Declarations.h"
#include "frontend/check/Lookup.h"
#include "frontend/check/TensorUnify.h"
#include "frontend/check/Types.h"
#include "frontend/check/Workflows.h"

namespace flyte::check {
namespace {

bool numeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Float; }

TypeId check_field(Context& ctx, const ast::FieldExpr* f) {
  TypeId base = check_expr(ctx, f->base, std::nullopt);
  const TypeData& d = ctx.types.get(base);
  std::string_view want = f->field.name;
  const std::vector<FieldType>* fields = nullptr;
  if (d.kind == TypeKind::Struct) fields = &ctx.struct_fields[ctx.decl_of(base)];
  if (d.kind == TypeKind::Outputs) fields = &d.fields;
  if (d.kind == TypeKind::Error || want.empty()) return ctx.types.error();
  if (d.kind == TypeKind::Optional) {
    ctx.error(DiagCode::E0307, f->base->range,
              fmt::format("field '{}' of an optional value of type '{}'", want, ctx.str(base)));
    return ctx.types.error();
  }
  if (fields == nullptr) {
    ctx.error(DiagCode::E0106, f->field.range,
              fmt::format("a value of type '{}' has no field '{}'", ctx.str(base), want));
    return ctx.types.error();
  }
  for (const FieldType& ft : *fields) {
    if (ft.name == want) return ft.type;
  }
  std::vector<std::string_view> names;
  for (const FieldType& ft : *fields) names.push_back(ft.name);
  Diagnostic& diag = ctx.error(DiagCode::E0106, f->field.range,
                               fmt::format("'{}' has no {} '{}'", ctx.str(base),
                                           d.kind == TypeKind::Outputs ? "output" : "field", want));
  Context::suggest(diag, want, names);
  return ctx.types.error();
}

// The index of the parameter argument `a` gives (counting positional arguments in
// `positional`), or SIZE_MAX when it names none or is one too many (reported).
size_t parameter_index(Context& ctx, const Signature& sig, const Decl* callee, const ast::Arg& a,
                       size_t& positional) {
  const auto& params = *sig.params;
  if (a.name) {
    size_t index = SIZE_MAX;  // the last of equal names, which is reported as E0105
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].name.name == a.name->name) index = i;
    }
    if (index != SIZE_MAX) return index;
    std::vector<std::string_view> names;
    names.reserve(params.size());
    for (const ast::Param& p : params) names.push_back(p.name.name);
    Diagnostic& d =
        ctx.error(DiagCode::E0202, a.name->range,
                  fmt::format("'{}' has no parameter '{}'", callee->name.name, a.name->name));
    Context::suggest(d, a.name->name, names);
    Context::note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
    return SIZE_MAX;
  }
  size_t index = positional++;
  if (index < params.size()) return index;
  Diagnostic& d =
      ctx.error(DiagCode::E0203, a.range,
                fmt::format("too many arguments: '{}' takes {}", callee->name.name, params.size()));
  Context::note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
  return SIZE_MAX;
}

// The arguments of a call of `callee`, matched to its parameters; returns the bindings of
// the callee's tensor variables.
TensorBindings check_arguments(Context& ctx, const ast::CallExpr* c, const Decl* callee,
                               const Signature& sig) {
  TensorBindings bindings;
  std::vector<const ast::Arg*> given(sig.params->size(), nullptr);
  size_t positional = 0;
  for (const ast::Arg& a : c->args) {
    size_t index = parameter_index(ctx, sig, callee, a, positional);
    if (index == SIZE_MAX) {
      check_expr(ctx, a.value, std::nullopt);
      continue;
    }
    const ast::Param& p = (*sig.params)[index];
    if (given[index] != nullptr) {
      Diagnostic& d = ctx.error(
          DiagCode::E0203, a.range,
          fmt::format("parameter '{}' of '{}' is given twice", p.name.name, callee->name.name));
      Context::note(d, "first given here", given[index]->range);
      check_expr(ctx, a.value, std::nullopt);
      continue;
    }
    given[index] = &a;
    expect(
        ctx, a.value, sig.param_types[index],
        [&](Diagnostic& d) {
          Context::note(d,
                        fmt::format("parameter '{}' of '{}' is declared here", p.name.name,
                                    callee->name.name),
                        p.name.range);
        },
        &bindings, p.name.name);
  }
  for (size_t i = 0; i < sig.params->size(); ++i) {
    const ast::Param& p = (*sig.params)[i];
    if (given[i] != nullptr || p.default_value != nullptr) continue;
    Diagnostic& d =
        ctx.error(DiagCode::E0201, c->range,
                  fmt::format("missing argument '{}' of type '{}' in call of '{}'", p.name.name,
                              ctx.str(sig.param_types[i]), callee->name.name));
    Context::note(d, fmt::format("parameter '{}' is declared here", p.name.name), p.name.range);
  }
  return bindings;
}

TypeId check_unary(Context& ctx, const ast::UnaryExpr* u) {
  TypeId t = check_expr(ctx, u->operand, std::nullopt);
  TypeKind k = ctx.types.kind(t);
  if (k == TypeKind::Error) return t;
  if (u->op == ast::UnaryOp::Not) {
    if (k == TypeKind::Bool) return t;
    ctx.error(DiagCode::E0304, u->operand->range,
              fmt::format("'not' needs a bool, found '{}'", ctx.str(t)));
    return ctx.types.error();
  }
  if (numeric(k) || k == TypeKind::Duration || k == TypeKind::Size) return t;
  ctx.error(DiagCode::E0301, u->operand->range,
            fmt::format("'-' needs a number, found '{}'", ctx.str(t)));
  return ctx.types.error();
}

// `==`, `<` and the other comparisons: numbers with numbers, equal types that can be
// ordered, or (for equality) types one of which converts to the other; never tensors.
TypeId check_comparison(Context& ctx, const ast::BinaryExpr* b, TypeId l, TypeId r) {
  TypeKind lk = ctx.types.kind(l);
  TypeKind rk = ctx.types.kind(r);
  if (lk == TypeKind::Error || rk == TypeKind::Error) return ctx.types.bool_();
  bool ordering = b->op != ast::BinaryOp::Eq && b->op != ast::BinaryOp::Ne;
  bool ok =
      (numeric(lk) && numeric(rk)) ||
      (l == r &&
       (!ordering || lk == TypeKind::Duration || lk == TypeKind::Size || lk == TypeKind::String) &&
       lk != TypeKind::Tensor && lk != TypeKind::Outputs) ||
      (!ordering &&
       (convertible(ctx, b->rhs, r, l, nullptr, {}) ||
        convertible(ctx, b->lhs, l, r, nullptr, {})) &&
       lk != TypeKind::Tensor && rk != TypeKind::Tensor);
  if (!ok) {
    ctx.error(DiagCode::E0304, b->op_range,
              fmt::format("cannot compare '{}' with '{}' using '{}'", ctx.str(l), ctx.str(r),
                          ast::binary_op_spelling(b->op)));
  }
  return ctx.types.bool_();
}

// Arithmetic: numbers (an int with a float gives a float), durations and sizes added to
// their own kind or scaled by a number, strings joined with '+'.
TypeId check_arithmetic(Context& ctx, const ast::BinaryExpr* b, TypeId l, TypeId r) {
  TypeKind lk = ctx.types.kind(l);
  TypeKind rk = ctx.types.kind(r);
  if (lk == TypeKind::Error || rk == TypeKind::Error) return ctx.types.error();
  if (b->op == ast::BinaryOp::Div &&
      (b->rhs->kind == ExprKind::Int || b->rhs->kind == ExprKind::Float)) {
    bool zero = b->rhs->kind == ExprKind::Int
                    ? static_cast<const ast::IntLit*>(b->rhs)->value == 0
                    : static_cast<const ast::FloatLit*>(b->rhs)->value == 0;
    if (zero) {
      ctx.error(DiagCode::E0502, b->rhs->range, "division by a constant zero");
      return ctx.types.error();
    }
  }
  bool additive = b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub;
  if (numeric(lk) && numeric(rk)) {
    return lk == TypeKind::Float || rk == TypeKind::Float ? ctx.types.float_() : ctx.types.int_();
  }
  for (TypeKind unit : {TypeKind::Duration, TypeKind::Size}) {
    if (additive && lk == unit && rk == unit) return l;
    if (!additive && lk == unit && numeric(rk)) return l;
    if (b->op == ast::BinaryOp::Mul && numeric(lk) && rk == unit) return r;
  }
  if (b->op == ast::BinaryOp::Add && lk == TypeKind::String && rk == TypeKind::String) return l;
  ctx.error(DiagCode::E0301, b->op_range,
            fmt::format("operator '{}' cannot combine '{}' and '{}'",
                        ast::binary_op_spelling(b->op), ctx.str(l), ctx.str(r)));
  return ctx.types.error();
}

TypeId check_binary(Context& ctx, const ast::BinaryExpr* b) {
  TypeId l = check_expr(ctx, b->lhs, std::nullopt);
  TypeId r = check_expr(ctx, b->rhs, std::nullopt);
  switch (b->op) {
    case ast::BinaryOp::And:
    case ast::BinaryOp::Or: {
      for (auto [e, t] : {std::pair{b->lhs, l}, std::pair{b->rhs, r}}) {
        TypeKind k = ctx.types.kind(t);
        if (k != TypeKind::Bool && k != TypeKind::Error) {
          ctx.error(DiagCode::E0304, e->range,
                    fmt::format("'{}' needs bool operands, found '{}'",
                                ast::binary_op_spelling(b->op), ctx.str(t)));
        }
      }
      return ctx.types.bool_();
    }
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne:
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge: return check_comparison(ctx, b, l, r);
    default: return check_arithmetic(ctx, b, l, r);
  }
}

// The element type of a list or map literal: the expected one when every element
// converts to it, else the first element's (so that the caller's check names the
// mismatch), else an error when the elements disagree among themselves.
TypeId element_type(Context& ctx, const std::vector<const Expr*>& elems, std::optional<TypeId> want,
                    const char* what) {
  std::optional<TypeId> elem;
  const Expr* first = nullptr;
  bool all_fit = true;
  for (const Expr* x : elems) {
    TypeId t = check_expr(ctx, x, want);
    if (ctx.types.kind(t) == TypeKind::Error || ctx.types.kind(t) == TypeKind::Never) continue;
    if (want && !convertible(ctx, x, t, *want, nullptr, {})) all_fit = false;
    if (!elem) {
      elem = t;
      first = x;
      continue;
    }
    if (*elem == t || convertible(ctx, x, t, *elem, nullptr, {})) continue;
    if (convertible(ctx, first, *elem, t, nullptr, {})) {
      elem = t;
      first = x;
      continue;
    }
    if (want) continue;  // the caller reports the first element that does not fit
    ctx.error(DiagCode::E0301, x->range,
              fmt::format("{} differ: '{}' and '{}'", what, ctx.str(*elem), ctx.str(t)));
    return ctx.types.error();
  }
  if (want && all_fit) return *want;
  return elem ? *elem : ctx.types.never();
}

// The element type `expected` asks of a list or map literal of kind `kind`, if any.
std::optional<TypeId> expected_element(const Context& ctx, std::optional<TypeId> expected,
                                       TypeKind kind) {
  if (expected && ctx.types.kind(*expected) == kind) return ctx.types.get(*expected).elem;
  return std::nullopt;
}

TypeId check_list(Context& ctx, const ast::ListExpr* l, std::optional<TypeId> expected) {
  std::vector<const Expr*> elems(l->elements.begin(), l->elements.end());
  TypeId elem =
      element_type(ctx, elems, expected_element(ctx, expected, TypeKind::List), "list elements");
  return ctx.types.kind(elem) == TypeKind::Error ? elem : ctx.types.list(elem);
}

TypeId check_map(Context& ctx, const ast::MapExpr* m, std::optional<TypeId> expected) {
  std::unordered_map<std::string, SourceRange> keys;
  std::vector<const Expr*> values;
  for (const ast::MapEntry& e : m->entries) {
    if (e.key != nullptr && !keys.emplace(e.key->value, e.key->range).second) {
      ctx.error(DiagCode::E0105, e.key->range,
                fmt::format("map key \"{}\" appears twice", e.key->value));
    }
    values.push_back(e.value);
  }
  TypeId value =
      element_type(ctx, values, expected_element(ctx, expected, TypeKind::Map), "map values");
  return ctx.types.kind(value) == TypeKind::Error ? value : ctx.types.map(value);
}

TypeId check_struct_value(Context& ctx, const ast::StructExpr* s) {
  bool reported = false;
  const Decl* d = lookup_decl(ctx, s->type, reported, DiagCode::E0102, "struct");
  if (d == nullptr || d->kind != DeclKind::Struct) {
    if (!reported) {
      ctx.error(DiagCode::E0102, s->type.range,
                d == nullptr
                    ? fmt::format("unknown struct '{}'", s->type.str())
                    : fmt::format("'{}' is a {}, not a struct", s->type.str(), kind_name(d->kind)));
    }
    for (const auto& f : s->fields) check_expr(ctx, f.value, std::nullopt);
    return ctx.types.error();
  }
  const auto& fields = ctx.struct_fields[d];
  std::unordered_map<std::string_view, SourceRange> seen;
  for (const ast::FieldInit& f : s->fields) {
    note_duplicate(ctx, seen, f.name, "field");
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const FieldType& ft) { return ft.name == f.name.name; });
    if (it == fields.end()) {
      ctx.error(DiagCode::E0106, f.name.range,
                fmt::format("struct '{}' has no field '{}'", d->name.name, f.name.name));
      check_expr(ctx, f.value, std::nullopt);
      continue;
    }
    expect(ctx, f.value, it->type, [&](Diagnostic& diag) {
      Context::note(diag, fmt::format("field '{}' of '{}'", f.name.name, d->name.name),
                    d->name.range);
    });
  }
  for (const FieldType& ft : fields) {
    if (seen.count(ft.name) != 0) continue;
    Diagnostic& diag = ctx.error(
        DiagCode::E0201, s->range,
        fmt::format("missing field '{}' in a value of struct '{}'", ft.name, d->name.name));
    Context::note(diag, fmt::format("'{}' is declared here", d->name.name), d->name.range);
  }
  return ctx.declared_type(d);
}

TypeId check_inner(Context& ctx, const Expr* e, std::optional<TypeId> expected) {
  TypeTable& types = ctx.types;
  switch (e->kind) {
    case ExprKind::Int: return types.int_();
    case ExprKind::Float: return types.float_();
    case ExprKind::Bool: return types.bool_();
    case ExprKind::None: return types.none();
    case ExprKind::String: return types.string();
    case ExprKind::Duration: return types.duration();
    case ExprKind::Size: return types.size();
    case ExprKind::Error: return types.error();
    case ExprKind::Name: return check_name(ctx, static_cast<const ast::NameExpr*>(e));
    case ExprKind::Field: return check_field(ctx, static_cast<const ast::FieldExpr*>(e));
    case ExprKind::Call: return check_call(ctx, static_cast<const ast::CallExpr*>(e), nullptr);
    case ExprKind::Unary: return check_unary(ctx, static_cast<const ast::UnaryExpr*>(e));
    case ExprKind::Binary: return check_binary(ctx, static_cast<const ast::BinaryExpr*>(e));
    case ExprKind::Tuple: {
      for (const auto& f : static_cast<const ast::TupleExpr*>(e)->fields)
        check_expr(ctx, f.value, std::nullopt);
      ctx.error(DiagCode::E0301, e->range, "a named tuple can only be returned from a workflow");
      return types.error();
    }
    case ExprKind::List: return check_list(ctx, static_cast<const ast::ListExpr*>(e), expected);
    case ExprKind::Map: return check_map(ctx, static_cast<const ast::MapExpr*>(e), expected);
    case ExprKind::Struct: return check_struct_value(ctx, static_cast<const ast::StructExpr*>(e));
    case ExprKind::If: return check_if(ctx, static_cast<const ast::IfExpr*>(e), expected);
    case ExprKind::For: return check_for(ctx, static_cast<const ast::ForExpr*>(e));
    case ExprKind::Fail: {
      auto* f = static_cast<const ast::FailExpr*>(e);
      expect(ctx, f->message, types.string(), [](Diagnostic&) {});
      return types.never();
    }
  }
  return types.error();
}

}  // namespace

TypeId check_expr(Context& ctx, const Expr* e, std::optional<TypeId> expected) {
  TypeId t = check_inner(ctx, e, expected);
  e->type = t;
  return t;
}

TypeId check_call(Context& ctx, const ast::CallExpr* c, const Decl** callee_out) {
  bool reported = false;
  const Decl* callee = lookup_decl(ctx, c->callee, reported, DiagCode::E0103, "task or workflow");
  auto check_args_only = [&] {
    for (const ast::Arg& a : c->args) check_expr(ctx, a.value, std::nullopt);
    return ctx.types.error();
  };
  if (callee == nullptr) {
    if (!reported) {
      Diagnostic& d = ctx.error(DiagCode::E0103, c->callee.range,
                                fmt::format("unknown task or workflow '{}'", c->callee.str()));
      if (c->callee.parts.size() == 1) {
        Context::suggest(d, c->callee.parts[0].name, visible_names(ctx, true));
      }
    }
    return check_args_only();
  }
  if (callee->kind != DeclKind::Task && callee->kind != DeclKind::Workflow) {
    Diagnostic& d = ctx.error(DiagCode::E0103, c->callee.range,
                              fmt::format("'{}' is a {}, not a task or workflow", c->callee.str(),
                                          kind_name(callee->kind)));
    Context::note(d, fmt::format("'{}' is declared here", callee->name.name), callee->name.range);
    return check_args_only();
  }
  if (callee_out != nullptr) *callee_out = callee;
  c->resolved = callee;
  if (ctx.current_workflow != nullptr && callee->kind == DeclKind::Workflow) {
    ctx.calls[ctx.current_workflow].push_back({callee, c});
  }
  const Signature& sig = signature(ctx, callee);
  std::string saved_callee = std::move(ctx.callee_name);
  ctx.callee_name = std::string(callee->name.name);
  TensorBindings bindings = check_arguments(ctx, c, callee, sig);
  ctx.callee_name = std::move(saved_callee);
  if (!sig.has_outputs) return ctx.types.outputs({});
  if (!sig.named_outputs) return substitute(ctx.types, sig.outputs[0].type, bindings);
  std::vector<FieldType> outs;
  for (const FieldType& o : sig.outputs)
    outs.push_back({o.name, substitute(ctx.types, o.type, bindings)});
  return ctx.types.outputs(std::move(outs));
}

}  // namespace flyte::check
