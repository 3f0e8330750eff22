// Name lookup: each module's declarations and imports, qualified names, and the scopes of
// a workflow's bindings.
#pragma once

#include <string_view>
#include <vector>

#include "frontend/check/Context.h"

namespace flyte::check {

/// Records `m`'s declarations (E0105 for a name defined twice) and its imports.
void collect_module(Context& ctx, const Module& m);

/// Resolves every `import m.{x}` once all modules are collected (E0103 for a missing `x`).
void resolve_selective_imports(Context& ctx);

/// The declaration a (qualified) name such as `ml.predict` names from the current module,
/// or null. A wrong qualifier or module member is reported as `code` and sets `reported`;
/// a plain name that is absent is left to the caller.
const ast::Decl* lookup_decl(Context& ctx, const ast::QualName& q, bool& reported, DiagCode code,
                             const char* what);

/// Names visible unqualified in the current module, tasks and workflows or the others, for
/// "did you mean".
std::vector<std::string_view> visible_names(const Context& ctx, bool callables);

/// Starts checking a workflow (or a launch, or a parameter default): no scope is open,
/// and slots count from 0.
void reset_scopes(Context& ctx);

/// Opens a scope: a workflow's inputs, its body, a block or a `for`.
void push_scope(Context& ctx);

/// The innermost binding of `name`, or null. The pointer is valid until the next binding.
Binding* find_binding(Context& ctx, std::string_view name);

/// Binds `id` in the innermost scope as slot `slot` (E0105 when it is bound there
/// already); returns the binding, or null when none was made.
Binding* bind(Context& ctx, const ast::Ident& id, TypeId t, bool is_input, uint32_t slot);

/// Leaves the innermost scope, warning of bindings never used (W0001, W0002).
void pop_scope(Context& ctx);

/// The type of a name such as `x` in `f(a = x)`; an unknown one is E0101.
TypeId check_name(Context& ctx, const ast::NameExpr* n);

}  // namespace flyte::check
