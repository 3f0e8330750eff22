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

void reset_scopes(Context& ctx) {
  ctx.bindings.clear();
  ctx.scope_starts.clear();
  ctx.visible.clear();
  ctx.next_slot = 0;
}

void push_scope(Context& ctx) {
  ctx.scope_starts.push_back(static_cast<uint32_t>(ctx.bindings.size()));
}

Binding* find_binding(Context& ctx, std::string_view name) {
  uint32_t* index = ctx.visible.find(name);
  return index == nullptr ? nullptr : &ctx.bindings[*index];
}

namespace {

// Makes `b` the innermost binding of its name, in the innermost scope; false (and
// nothing bound) when that scope binds the name already, with `*first` set to that
// binding.
bool push_binding(Context& ctx, Binding b, const Binding** first) {
  auto index = static_cast<uint32_t>(ctx.bindings.size());
  auto [innermost, inserted] = ctx.visible.try_emplace(b.name, index);
  if (!inserted) {
    if (*innermost >= ctx.scope_starts.back()) {
      *first = &ctx.bindings[*innermost];
      return false;
    }
    b.hides = *innermost;
    *innermost = index;
  }
  ctx.bindings.push_back(b);
  return true;
}

}  // namespace

Binding* bind(Context& ctx, const ast::Ident& id, TypeId t, bool is_input, uint32_t slot) {
  if (id.name.empty()) return nullptr;
  const Binding* first = nullptr;
  if (push_binding(ctx, Binding{id.name, t, id.range, slot, Binding::kNone, false, is_input},
                   &first)) {
    return &ctx.bindings.back();
  }
  Diagnostic& d = ctx.error(DiagCode::E0105, id.range,
                            fmt::format("'{}' is already bound in this scope", id.name));
  Context::note(d, fmt::format("first binding of '{}' is here", id.name), first->range);
  return nullptr;
}

void pop_scope(Context& ctx) {
  uint32_t start = ctx.scope_starts.back();
  for (size_t i = ctx.bindings.size(); i-- > start;) {
    const Binding& b = ctx.bindings[i];
    if (b.hides == Binding::kNone) {
      ctx.visible.erase(b.name);
    } else {
      *ctx.visible.find(b.name) = b.hides;
    }
    if (b.used || b.name.empty() || b.name[0] == '_') continue;
    if (b.is_input) {
      ctx.error(DiagCode::W0002, b.range, fmt::format("workflow input '{}' is never used", b.name));
    } else {
      ctx.error(DiagCode::W0001, b.range,
                fmt::format("'{}' is never used (the node still runs)", b.name));
    }
  }
  ctx.bindings.resize(start);
  ctx.scope_starts.pop_back();
}

TypeId check_name(Context& ctx, const ast::NameExpr* n) {
  if (Binding* b = find_binding(ctx, n->name.name)) {
    b->used = true;
    n->slot = b->slot;
    return b->type;
  }
  std::vector<std::string_view> names;
  names.reserve(ctx.bindings.size());
  for (const Binding& b : ctx.bindings) names.push_back(b.name);
  Diagnostic& d =
      ctx.error(DiagCode::E0101, n->range, fmt::format("unknown name '{}'", n->name.name));
  Context::suggest(d, n->name.name, names);
  // Bind it as poisoned so that later uses are not reported again.
  if (!ctx.scope_starts.empty()) {
    const Binding* first = nullptr;
    push_binding(ctx,
                 Binding{n->name.name, ctx.types.error(), n->range, ast::kNoSlot, Binding::kNone,
                         true, false},
                 &first);
  }
  return ctx.types.error();
}

}  // namespace flyte::check
