// Expressions: literals, names, fields, calls, operators, and list, map and struct values.
#pragma once

#include <optional>

#include "frontend/check/Context.h"

namespace flyte::check {

/// Checks `e` and records its type in the semantics; `expected`, when known, types the
/// elements of an empty or mixed literal (`[]` where a `List<float>` is expected).
TypeId check_expr(Context& ctx, const ast::Expr* e, std::optional<TypeId> expected);

/// Checks a call such as `train(lr = 0.1)`: the callee (E0103), its arguments (E0201-E0203,
/// conversions, tensor unification) and the call's type, the callee's outputs with this
/// call's tensor bindings. The callee is stored in `callee_out` when it is a task or a
/// workflow.
TypeId check_call(Context& ctx, const ast::CallExpr* c, const ast::Decl** callee_out);

}  // namespace flyte::check
