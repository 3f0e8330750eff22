// Expression nodes: run-time arithmetic, comparisons, boolean logic, and the list, map
// and struct values built from run-time parts.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/local/runtime/Value.h"
#include "ir/Enums.h"

namespace flyte::rt {

/// Evaluates operator `op` (`+ - * / == != < <= > >= and or not neg list map struct`)
/// over its operands, in order. `result_type` says whether `/` and the
/// rest are integer or float arithmetic. nullopt with `error` for a division by zero
/// or an integer overflow.
std::optional<Value> eval_expr(ir::ExprOp op,
                               const std::vector<std::pair<std::string, Value>>& operands,
                               TypeKind result_type, std::string& error);

}  // namespace flyte::rt
