// Declarations: struct fields, enum members, aliases, and task and workflow signatures
// (parameter types, defaults, outputs), each resolved once.
#include "frontend/check/Declarations.h"

#include <fmt/format.h>

#include "frontend/Annotations.h"
#include "frontend/check/Lookup.h"
#include "frontend/check/Runners.h"
#include "frontend/check/Types.h"

namespace flyte::check {
namespace {

const std::vector<ast::Param>* params_of(const Decl* d) {
  if (d->kind == DeclKind::Task) return &static_cast<const ast::TaskDecl*>(d)->params;
  if (d->kind == DeclKind::Workflow) return &static_cast<const ast::WorkflowDecl*>(d)->params;
  return nullptr;
}

const std::optional<ast::Outputs>* outputs_of(const Decl* d) {
  if (d->kind == DeclKind::Task) return &static_cast<const ast::TaskDecl*>(d)->outputs;
  if (d->kind == DeclKind::Workflow) return &static_cast<const ast::WorkflowDecl*>(d)->outputs;
  return nullptr;
}

// A parameter's default is a constant of the parameter's type.
void check_default(Context& ctx, const ast::Param& p, TypeId t) {
  if (!ast::is_constant(p.default_value)) {
    ctx.error(DiagCode::E0502, p.default_value->range,
              fmt::format("the default of '{}' must be a constant: a literal, or a list, map or "
                          "struct value of literals",
                          p.name.name));
    return;
  }
  reset_scopes(ctx);
  push_scope(ctx);
  expect(ctx, p.default_value, t, [&](Diagnostic& d) {
    Context::note(d, fmt::format("parameter '{}' is declared here", p.name.name), p.name.range);
  });
  reset_scopes(ctx);
}

void declare_struct(Context& ctx, const ast::StructDecl* s) {
  std::vector<FieldType> fields;
  std::unordered_map<std::string_view, SourceRange> seen;
  for (const ast::Field& f : s->fields) {
    note_duplicate(ctx, seen, f.name, "field");
    fields.push_back({std::string(f.name.name), resolve_type(ctx, f.type)});
  }
  // The IR keeps the fields too: the runtime checks struct values against them.
  ctx.types.define_struct(ctx.declared_type(s), fields);
  ctx.struct_fields[s] = std::move(fields);
}

void declare_enum(Context& ctx, const ast::EnumDecl* e) {
  std::unordered_map<std::string_view, SourceRange> seen;
  std::vector<std::string> members;
  for (const ast::Ident& m : e->members) {
    note_duplicate(ctx, seen, m, "member");
    members.emplace_back(m.name);
  }
  ctx.types.define_enum(ctx.declared_type(e), std::move(members));
}

}  // namespace

void declare(Context& ctx, const Decl* d) {
  AnnotationPlace place = d->kind == DeclKind::Task       ? AnnotationPlace::Task
                          : d->kind == DeclKind::Workflow ? AnnotationPlace::Workflow
                          : d->kind == DeclKind::Launch   ? AnnotationPlace::Launch
                                                          : AnnotationPlace::Type;
  const auto* task = d->kind == DeclKind::Task ? static_cast<const ast::TaskDecl*>(d) : nullptr;
  check_annotations(d->annotations, place, task, ctx.diags);
  if (task != nullptr) check_runner(ctx, task);
  switch (d->kind) {
    case DeclKind::Struct: declare_struct(ctx, static_cast<const ast::StructDecl*>(d)); break;
    case DeclKind::Enum: declare_enum(ctx, static_cast<const ast::EnumDecl*>(d)); break;
    case DeclKind::Alias: alias_type(ctx, static_cast<const ast::AliasDecl*>(d)); break;
    case DeclKind::Task:
    case DeclKind::Workflow: signature(ctx, d); break;
    case DeclKind::Launch: break;
  }
}

void note_duplicate(Context& ctx, std::unordered_map<std::string_view, SourceRange>& seen,
                    const ast::Ident& id, const char* what) {
  if (id.name.empty()) return;
  auto [it, inserted] = seen.emplace(id.name, id.range);
  if (inserted) return;
  Diagnostic& d =
      ctx.error(DiagCode::E0105, id.range, fmt::format("{} '{}' is defined twice", what, id.name));
  Context::note(d, fmt::format("first definition of '{}' is here", id.name), it->second);
}

const Signature& signature(Context& ctx, const Decl* d) {
  if (auto it = ctx.sigs.find(d); it != ctx.sigs.end()) return it->second;
  Signature& sig = ctx.sigs[d];
  sig.decl = d;
  sig.params = params_of(d);
  {
    InModule in(ctx, d);
    std::unordered_map<std::string_view, SourceRange> seen;
    for (const ast::Param& p : *sig.params) {
      note_duplicate(ctx, seen, p.name, "parameter");
      TypeId t = resolve_type(ctx, p.type);
      sig.param_types.push_back(t);
      if (p.default_value != nullptr) check_default(ctx, p, t);
    }
    const auto& outs = *outputs_of(d);
    if (outs) {
      sig.has_outputs = true;
      sig.named_outputs = outs->named;
      if (outs->named) {
        std::unordered_map<std::string_view, SourceRange> seen_out;
        for (const ast::Field& f : outs->fields) {
          note_duplicate(ctx, seen_out, f.name, "output");
          sig.outputs.push_back({std::string(f.name.name), resolve_type(ctx, f.type)});
        }
      } else {
        sig.outputs.push_back({"o", resolve_type(ctx, outs->single)});
      }
    }
  }
  ctx.sema.param_types[d] = sig.param_types;
  ctx.sema.outputs[d] = sig.outputs;
  return sig;
}

}  // namespace flyte::check
