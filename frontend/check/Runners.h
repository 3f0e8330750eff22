// Task runners: where `builtin` may stand, and the placeholders of `shell` commands.
#pragma once

#include "frontend/check/Context.h"

namespace flyte::check {

/// Checks task `t`'s runner: `builtin(...)` only in the standard library (E0501); each
/// `{name}` of a shell command names an input or output (E0601), and the command
/// mentions every output (W0003).
void check_runner(Context& ctx, const ast::TaskDecl* t);

}  // namespace flyte::check
