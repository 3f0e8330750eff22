// Declarations: structs, enums, type aliases, and task and workflow signatures with their
// parameter defaults.
#pragma once

#include <string_view>
#include <unordered_map>

#include "frontend/check/Context.h"

namespace flyte::check {

/// Checks a declaration's annotations and resolves what it declares: a struct's fields, an
/// enum's members, an alias, a task's runner and signature, a workflow's signature.
void declare(Context& ctx, const ast::Decl* d);

/// The resolved interface of task or workflow `d`, resolved once, in `d`'s own module.
const Signature& signature(Context& ctx, const ast::Decl* d);

/// Records `id` in `seen`; a name already there is E0105 with a note at the first, such as
/// a struct field or a parameter defined twice. `what` says what it is ("field").
void note_duplicate(Context& ctx, std::unordered_map<std::string_view, SourceRange>& seen,
                    const ast::Ident& id, const char* what);

}  // namespace flyte::check
