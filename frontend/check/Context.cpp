// The checker's shared helpers: name suggestions and the names of declaration kinds.
#include "frontend/check/Context.h"

#include <fmt/format.h>

#include "frontend/Suggest.h"

namespace flyte::check {

void Context::suggest(Diagnostic& d, std::string_view name,
                      const std::vector<std::string_view>& names) {
  if (auto s = closest_name(name, names)) {
    d.notes.push_back({fmt::format("did you mean '{}'?", *s), std::nullopt});
  }
}

TypeId Context::declared_type(const ast::Decl* d) {
  auto [it, added] = decl_types.try_emplace(d);
  if (added) {
    TypeKind kind = d->kind == ast::DeclKind::Struct ? TypeKind::Struct : TypeKind::Enum;
    it->second = types.declare(kind, std::string(d->name.name));
    type_decls.emplace(it->second.index, d);
  }
  return it->second;
}

const char* kind_name(ast::DeclKind k) {
  switch (k) {
    case ast::DeclKind::Struct: return "struct";
    case ast::DeclKind::Enum: return "enum";
    case ast::DeclKind::Alias: return "type alias";
    case ast::DeclKind::Task: return "task";
    case ast::DeclKind::Workflow: return "workflow";
    case ast::DeclKind::Launch: return "launch";
  }
  return "declaration";
}

}  // namespace flyte::check
