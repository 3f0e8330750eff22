// Name lookup: declarations and imports of each module, qualified names, and workflow
// scopes with their unused-binding warnings.
#include "frontend/check/Lookup.h"

#include <fmt/format.h>

namespace flyte::check {

void collect_module(Context& ctx, const Module& m) {
  ModuleInfo& info = ctx.infos[&m];
  info.module = &m;
  for (const Decl* d : m.ast->decls) {
    ctx.decl_module[d] = &m;
    ctx.sema.modules[d] = &m;
    if (d->name.name.empty()) continue;
    auto [it, inserted] = info.decls.emplace(d->name.name, d);
    if (!inserted) {
      Diagnostic& diag = ctx.error(DiagCode::E0105, d->name.range,
                                   fmt::format("'{}' is defined twice", d->name.name));
      Context::note(diag, fmt::format("first definition of '{}' is here", d->name.name),
                    it->second->name.range);
    }
  }
  for (const ResolvedImport& imp : m.imports) {
    if (imp.module == nullptr) continue;
    const ast::Import& syn = *imp.syntax;
    if (syn.selective) {
      for (const ast::Ident& n : syn.names) ctx.pending_selective.push_back({&m, imp.module, n});
    } else {
      std::string_view q = syn.alias ? syn.alias->name : syn.path.parts.back().name;
      info.qualifiers[q] = imp.module;
    }
  }
}

void resolve_selective_imports(Context& ctx) {
  for (const auto& p : ctx.pending_selective) {
    const ModuleInfo& from = ctx.infos[p.from];
    auto it = from.decls.find(p.name.name);
    if (it == from.decls.end()) {
      Diagnostic& d =
          ctx.error(DiagCode::E0103, p.name.range,
                    fmt::format("module '{}' has no declaration '{}'", p.from->name, p.name.name));
      Context::suggest_key(d, p.name.name, from.decls);
      continue;
    }
    ctx.infos[p.into].imported[p.name.name] = it->second;
  }
}

const Decl* lookup_decl(Context& ctx, const ast::QualName& q, bool& reported, DiagCode code,
                        const char* what) {
  reported = false;
  if (q.parts.empty() || q.parts.back().name.empty()) {
    reported = true;
    return nullptr;
  }
  const ModuleInfo& cur = *ctx.cur;
  if (q.parts.size() == 1) {
    std::string_view n = q.parts[0].name;
    if (auto it = cur.decls.find(n); it != cur.decls.end()) return it->second;
    if (auto it = cur.imported.find(n); it != cur.imported.end()) return it->second;
    return nullptr;
  }
  if (q.parts.size() == 2) {
    auto qit = cur.qualifiers.find(q.parts[0].name);
    if (qit == cur.qualifiers.end()) {
      Diagnostic& d =
          ctx.error(code, q.parts[0].range,
                    fmt::format("unknown module '{}' in '{}'", q.parts[0].name, q.str()));
      Context::suggest_key(d, q.parts[0].name, cur.qualifiers);
      reported = true;
      return nullptr;
    }
    const ModuleInfo& m = ctx.infos[qit->second];
    if (auto it = m.decls.find(q.parts[1].name); it != m.decls.end()) return it->second;
    Diagnostic& d = ctx.error(
        code, q.range,
        fmt::format("module '{}' has no {} '{}'", qit->second->name, what, q.parts[1].name));
    Context::suggest_key(d, q.parts[1].name, m.decls);
    reported = true;
    return nullptr;
  }
  ctx.error(code, q.range, fmt::format("'{}' is not a {}", q.str(), what));
  reported = true;
  return nullptr;
}

std::vector<std::string_view> visible_names(const Context& ctx, bool callables) {
  std::vector<std::string_view> out;
  auto want = [&](const Decl* d) {
    bool callable = d->kind == DeclKind::Task || d->kind == DeclKind::Workflow;
    return callables == callable;
  };
  for (const auto& [k, d] : ctx.cur->decls) {
    if (want(d)) out.push_back(k);
  }
  for (const auto& [k, d] : ctx.cur->imported) {
    if (want(d)) out.push_back(k);
  }
  return out;
}

Binding* find_binding(Context& ctx, std::string_view name) {
  for (auto it = ctx.scopes.rbegin(); it != ctx.scopes.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end()) return &f->second;
  }
  return nullptr;
}

void bind(Context& ctx, const ast::Ident& id, TypeId t, bool is_input) {
  if (id.name.empty()) return;
  auto& scope = ctx.scopes.back();
  auto [it, inserted] = scope.emplace(id.name, Binding{t, id.range, false, is_input});
  if (!inserted) {
    Diagnostic& d = ctx.error(DiagCode::E0105, id.range,
                              fmt::format("'{}' is already bound in this scope", id.name));
    Context::note(d, fmt::format("first binding of '{}' is here", id.name), it->second.range);
  }
}

void pop_scope(Context& ctx) {
  for (const auto& [name, b] : ctx.scopes.back()) {
    if (b.used || name.empty() || name[0] == '_') continue;
    if (b.is_input) {
      ctx.error(DiagCode::W0002, b.range, fmt::format("workflow input '{}' is never used", name));
    } else {
      ctx.error(DiagCode::W0001, b.range,
                fmt::format("'{}' is never used (the node still runs)", name));
    }
  }
  ctx.scopes.pop_back();
}

TypeId check_name(Context& ctx, const ast::NameExpr* n) {
  if (Binding* b = find_binding(ctx, n->name.name)) {
    b->used = true;
    return b->type;
  }
  std::vector<std::string_view> names;
  for (const auto& scope : ctx.scopes) {
    for (const auto& [k, v] : scope) names.push_back(k);
  }
  Diagnostic& d =
      ctx.error(DiagCode::E0101, n->range, fmt::format("unknown name '{}'", n->name.name));
  Context::suggest(d, n->name.name, names);
  // Bind it as poisoned so that later uses are not reported again.
  if (!ctx.scopes.empty())
    ctx.scopes.back().emplace(n->name.name, Binding{ctx.types.error(), n->range, true, false});
  return ctx.types.error();
}

}  // namespace flyte::check
