// Types and conversions: resolving written types (scalars, List, Map, Tensor, structs,
// enums, aliases), assignability with the implicit conversions, and mismatch reports.
#include "frontend/check/Types.h"

#include <fmt/format.h>

#include <algorithm>

#include "frontend/check/Expressions.h"
#include "frontend/check/Lookup.h"

namespace flyte::check {
namespace {

TypeId type_arg(Context& ctx, const ast::TypeExpr* t, size_t i, std::string_view what) {
  if (i >= t->args.size()) return ctx.types.error();
  const ast::TypeArg& a = t->args[i];
  if (a.type == nullptr) {
    ctx.error(DiagCode::E0102, a.range, fmt::format("expected a type in {}, found a shape", what));
    return ctx.types.error();
  }
  return resolve_type(ctx, a.type);
}

bool arity(Context& ctx, const ast::TypeExpr* t, size_t n, std::string_view name,
           std::string_view form) {
  if (t->has_args && t->args.size() == n) return true;
  ctx.error(DiagCode::E0102, t->range,
            fmt::format("'{}' takes {} type argument{}: {}", name, n, n == 1 ? "" : "s", form));
  return false;
}

TypeId resolve_tensor(Context& ctx, const ast::TypeExpr* t) {
  if (!t->has_args || t->args.empty() || t->args.size() > 2) {
    ctx.error(DiagCode::E0102, t->range,
              "'Tensor' takes a dtype and an optional shape: Tensor<f32, [N, D]>");
    return ctx.types.error();
  }
  TensorSpec spec;
  const ast::TypeArg& dt = t->args[0];
  if (dt.type == nullptr || dt.type->name.parts.size() != 1 || dt.type->has_args ||
      dt.type->optional) {
    ctx.error(DiagCode::E0102, dt.range,
              "expected a dtype (f16, bf16, f32, f64, i8, i32, i64, u8, bool) or a dtype variable");
    return ctx.types.error();
  }
  spec.dtype = std::string(dt.type->name.parts[0].name);
  spec.dtype_is_var = !TypeTable::is_dtype(spec.dtype);
  if (t->args.size() == 2) {
    const ast::TypeArg& sh = t->args[1];
    if (sh.type != nullptr) {
      if (sh.type->name.parts.size() != 1 || sh.type->has_args || sh.type->optional) {
        ctx.error(DiagCode::E0102, sh.range, "expected a shape such as [N, D] or a shape variable");
        return ctx.types.error();
      }
      spec.shape = TensorSpec::Shape::Var;
      spec.shape_var = std::string(sh.type->name.parts[0].name);
    } else {
      spec.shape = TensorSpec::Shape::Dims;
      for (const ast::Dim& d : sh.shape) {
        DimSpec ds;
        if (d.kind == ast::Dim::Kind::Literal) {
          ds.kind = DimSpec::Kind::Literal;
          ds.value = d.value;
        } else if (d.kind == ast::Dim::Kind::Var) {
          ds.kind = DimSpec::Kind::Var;
          ds.var = std::string(d.name);
        }
        spec.dims.push_back(ds);
      }
    }
  }
  return ctx.types.tensor(std::move(spec));
}

// A declared name used as a type: a struct, an enum or an alias.
TypeId declared_type(Context& ctx, const ast::TypeExpr* t, std::string_view n) {
  TypeTable& types = ctx.types;
  bool reported = false;
  const Decl* d = lookup_decl(ctx, t->name, reported, DiagCode::E0102, "type");
  if (d == nullptr) {
    if (!reported) {
      Diagnostic& diag = ctx.error(DiagCode::E0102, t->name.range,
                                   fmt::format("unknown type '{}'", t->name.str()));
      std::vector<std::string_view> names = visible_names(ctx, false);
      for (std::string_view b : {"int", "float", "bool", "string", "duration", "size", "File",
                                 "Dir", "List", "Map", "Tensor"}) {
        names.push_back(b);
      }
      Context::suggest(diag, n, names);
    }
    return types.error();
  }
  if (t->has_args) {
    ctx.error(DiagCode::E0102, t->range,
              fmt::format("'{}' takes no type arguments", t->name.str()));
    return types.error();
  }
  switch (d->kind) {
    case DeclKind::Struct:
    case DeclKind::Enum: return ctx.declared_type(d);
    case DeclKind::Alias: return alias_type(ctx, static_cast<const ast::AliasDecl*>(d));
    default: {
      Diagnostic& diag =
          ctx.error(DiagCode::E0102, t->name.range,
                    fmt::format("'{}' is a {}, not a type", t->name.str(), kind_name(d->kind)));
      Context::note(diag, fmt::format("'{}' is declared here", d->name.name), d->name.range);
      return types.error();
    }
  }
}

TypeId resolve_base(Context& ctx, const ast::TypeExpr* t) {
  TypeTable& types = ctx.types;
  std::string_view n = t->name.parts.size() == 1 ? t->name.parts[0].name : "";
  static const std::pair<std::string_view, TypeId (TypeTable::*)() const> kScalars[] = {
      {"int", &TypeTable::int_},          {"float", &TypeTable::float_},
      {"bool", &TypeTable::bool_},        {"string", &TypeTable::string},
      {"duration", &TypeTable::duration}, {"size", &TypeTable::size},
      {"File", &TypeTable::file},         {"Dir", &TypeTable::dir}};
  for (const auto& [name, fn] : kScalars) {
    if (n != name) continue;
    if (t->has_args) {
      ctx.error(DiagCode::E0102, t->range, fmt::format("'{}' takes no type arguments", name));
      return types.error();
    }
    return (types.*fn)();
  }
  if (n == "List") {
    if (!arity(ctx, t, 1, "List", "List<T>")) return types.error();
    TypeId e = type_arg(ctx, t, 0, "List<…>");
    return types.kind(e) == TypeKind::Error ? e : types.list(e);
  }
  if (n == "Map") {
    if (!arity(ctx, t, 2, "Map", "Map<string, T>")) return types.error();
    TypeId k = type_arg(ctx, t, 0, "Map<…>");
    TypeId v = type_arg(ctx, t, 1, "Map<…>");
    if (types.kind(k) != TypeKind::String && types.kind(k) != TypeKind::Error) {
      ctx.error(DiagCode::E0102, t->args[0].range,
                fmt::format("map keys must be 'string', found '{}'", ctx.str(k)));
      return types.error();
    }
    if (types.kind(v) == TypeKind::Error || types.kind(k) == TypeKind::Error) return v;
    return types.map(v);
  }
  if (n == "Tensor") return resolve_tensor(ctx, t);
  return declared_type(ctx, t, n);
}

// A string literal where an enum is expected must name one of its members.
void check_enum_member(Context& ctx, const Expr* e, TypeId expected) {
  TypeId t = expected;
  if (ctx.types.kind(t) == TypeKind::Optional) t = ctx.types.get(t).elem;
  if (ctx.types.kind(t) != TypeKind::Enum || e->kind != ExprKind::String) return;
  auto* en = static_cast<const ast::EnumDecl*>(ctx.decl_of(t));
  const std::string& v = static_cast<const ast::StringLit*>(e)->value;
  for (const ast::Ident& m : en->members) {
    if (m.name == v) return;
  }
  std::vector<std::string_view> names;
  for (const ast::Ident& m : en->members) names.push_back(m.name);
  Diagnostic& d = ctx.error(DiagCode::E0301, e->range,
                            fmt::format("'{}' is not a member of enum '{}'", v, en->name.name));
  Context::suggest(d, v, names);
}

}  // namespace

TypeId resolve_type(Context& ctx, const ast::TypeExpr* t) {
  if (t == nullptr || t->name.parts.empty()) return ctx.types.error();
  TypeId base = resolve_base(ctx, t);
  return t->optional ? ctx.types.optional(base) : base;
}

TypeId alias_type(Context& ctx, const ast::AliasDecl* a) {
  if (auto it = ctx.alias_types.find(a); it != ctx.alias_types.end()) return it->second;
  if (std::find(ctx.alias_stack.begin(), ctx.alias_stack.end(), a) != ctx.alias_stack.end()) {
    ctx.error(DiagCode::E0102, a->name.range,
              fmt::format("type alias '{}' refers to itself", a->name.name));
    ctx.alias_types[a] = ctx.types.error();
    return ctx.types.error();
  }
  ctx.alias_stack.push_back(a);
  TypeId t;
  {
    InModule in(ctx, a);
    t = resolve_type(ctx, a->type);
  }
  ctx.alias_stack.pop_back();
  ctx.alias_types[a] = t;
  return t;
}

bool convertible(Context& ctx, const Expr* e, TypeId from, TypeId to, TensorBindings* b,
                 std::string_view arg) {
  if (from == to) return true;
  const TypeTable& types = ctx.types;
  TypeKind fk = types.kind(from);
  TypeKind tk = types.kind(to);
  if (fk == TypeKind::Error || tk == TypeKind::Error || fk == TypeKind::Never) return true;
  if (tk == TypeKind::Optional) {
    if (fk == TypeKind::None) return true;
    if (fk == TypeKind::Optional)
      return convertible(ctx, e, types.get(from).elem, types.get(to).elem, b, arg);
    return convertible(ctx, e, from, types.get(to).elem, b, arg);
  }
  ExprKind ek = e != nullptr ? e->kind : ExprKind::Error;
  if (tk == TypeKind::Float && fk == TypeKind::Int && ek == ExprKind::Int) return true;
  if ((tk == TypeKind::File || tk == TypeKind::Dir) && fk == TypeKind::String &&
      ek == ExprKind::String) {
    return true;
  }
  if (tk == TypeKind::Enum && fk == TypeKind::String && ek == ExprKind::String) return true;
  if ((tk == TypeKind::List || tk == TypeKind::Map) && fk == tk) {
    TypeId te = types.get(to).elem;
    if (types.kind(types.get(from).elem) == TypeKind::Never) return true;  // `[]`, `{}`
    // A literal converts when each of its elements does.
    if (tk == TypeKind::List && ek == ExprKind::List) {
      for (const Expr* x : static_cast<const ast::ListExpr*>(e)->elements) {
        if (!convertible(ctx, x, ctx.type_of(x), te, b, arg)) return false;
      }
      return true;
    }
    if (tk == TypeKind::Map && ek == ExprKind::Map) {
      for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) {
        if (!convertible(ctx, m.value, ctx.type_of(m.value), te, b, arg)) return false;
      }
      return true;
    }
    return convertible(ctx, nullptr, types.get(from).elem, te, b, arg);
  }
  if (tk == TypeKind::Tensor && fk == TypeKind::Tensor) {
    if (auto m = unify_tensor(types.get(to).tensor, types.get(from).tensor, b,
                              describe_argument(arg), ctx.callee_name)) {
      ctx.error(m->kind == TensorMismatch::Kind::Dtype ? DiagCode::E0303 : DiagCode::E0302,
                e != nullptr ? e->range : SourceRange{}, std::move(m->message));
    }
    return true;
  }
  return false;
}

TypeId expect(Context& ctx, const Expr* e, TypeId expected,
              const std::function<void(Diagnostic&)>& add_notes, TensorBindings* b,
              std::string_view arg) {
  TypeId t = check_expr(ctx, e, expected);
  if (convertible(ctx, e, t, expected, b, arg)) {
    check_enum_member(ctx, e, expected);
    return t;
  }
  TypeKind fk = ctx.types.kind(t);
  TypeKind tk = ctx.types.kind(expected);
  Diagnostic* d;
  if (fk == TypeKind::Optional &&
      convertible(ctx, nullptr, ctx.types.get(t).elem, expected, nullptr, arg)) {
    d = &ctx.error(DiagCode::E0307, e->range,
                   fmt::format("optional value of type '{}' where '{}' is required", ctx.str(t),
                               ctx.str(expected)));
  } else if (fk == TypeKind::None && tk != TypeKind::Optional) {
    d = &ctx.error(DiagCode::E0307, e->range,
                   fmt::format("'none' where a value of type '{}' is required", ctx.str(expected)));
  } else {
    d = &ctx.error(
        DiagCode::E0301, e->range,
        fmt::format("type mismatch: expected '{}', found '{}'", ctx.str(expected), ctx.str(t)));
    // Two declarations that share a name: say which is which.
    if (ctx.str(expected) == ctx.str(t) && (tk == TypeKind::Struct || tk == TypeKind::Enum) &&
        fk == tk) {
      const ast::Decl* want = ctx.decl_of(expected);
      const ast::Decl* got = ctx.decl_of(t);
      Context::note(*d, fmt::format("the expected '{}' is declared here", want->name.name),
                    want->name.range);
      Context::note(
          *d, fmt::format("the '{}' found is another declaration of that name", got->name.name),
          got->name.range);
    }
  }
  add_notes(*d);
  return ctx.types.error();
}

}  // namespace flyte::check
