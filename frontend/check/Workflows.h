// Workflows and statements: bodies, `let` bindings, `return`, launches, blocks, and the
// `if` and `for` expressions that hold blocks.
#pragma once

#include <optional>

#include "frontend/check/Context.h"

namespace flyte::check {

/// Checks a workflow's body: its bindings, its `return` against the declared outputs
/// (E0401), `@after` names and cycles, and unused bindings (W0001, W0002).
void check_workflow(Context& ctx, const ast::WorkflowDecl* w);

/// Checks a launch's call, which must run a workflow (E0103).
void check_launch(Context& ctx, const ast::LaunchDecl* l);

/// `if c { a } else { b }`: bool conditions (E0304) and arms of one type (E0305).
TypeId check_if(Context& ctx, const ast::IfExpr* i, std::optional<TypeId> expected);

/// `for x in xs { … }`: a list to iterate (E0306); the value is the list of block values.
TypeId check_for(Context& ctx, const ast::ForExpr* f);

}  // namespace flyte::check
