// Cycle searches of the checker: bindings that wait for each other through `@after`, and
// workflows that call themselves. (Import cycles are found by the loader, which must stop
// loading at them: frontend/Program.cpp.)
#pragma once

#include "frontend/check/Context.h"

namespace flyte::check {

/// A circle of waits among `w`'s bindings, closed by an `@after`, is E0402, reported once
/// at the `@after` that closes it. Data dependencies alone only point backwards. Reads
/// the `@after` names `check_let` recorded.
void check_binding_cycles(Context& ctx, const ast::WorkflowDecl* w);

/// A workflow that calls itself, directly or through others, is E0403, reported at the call
/// that closes the circle, once per circle. Reads the calls `check_call` recorded.
void check_recursion(Context& ctx);

}  // namespace flyte::check
