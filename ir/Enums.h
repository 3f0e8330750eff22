// The IR's closed sets of words — expression operators, failure policies, runner kinds —
// as enums, each generated from its one `.def` table together with its spelling, so
// that the printer, the text reader, the protobuf form and the runtime agree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace flyte::ir {

/// The operator of an expression node, such as `Add` for `a + b` (ir/ExprOp.def).
enum class ExprOp : uint8_t {
#define FLYTE_EXPR_OP(name, spelling) name,
#include "ir/ExprOp.def"
};

/// What a workflow does when a node fails, such as `Continue` for
/// `@failure_policy(continue)` (ir/FailurePolicy.def).
enum class FailurePolicy : uint8_t {
#define FLYTE_FAILURE_POLICY(name, spelling) name,
#include "ir/FailurePolicy.def"
};

/// How a task runs, such as `Shell` for `shell """wc -l"""` (ir/RunnerKind.def).
enum class RunnerKind : uint8_t {
#define FLYTE_RUNNER_KIND(name, spelling) name,
#include "ir/RunnerKind.def"
};

namespace detail {
inline constexpr std::string_view kExprOpSpellings[] = {
#define FLYTE_EXPR_OP(name, spelling) spelling,
#include "ir/ExprOp.def"
};
inline constexpr std::string_view kFailurePolicySpellings[] = {
#define FLYTE_FAILURE_POLICY(name, spelling) spelling,
#include "ir/FailurePolicy.def"
};
inline constexpr std::string_view kRunnerKindSpellings[] = {
#define FLYTE_RUNNER_KIND(name, spelling) spelling,
#include "ir/RunnerKind.def"
};

template <class E, size_t N>
constexpr std::optional<E> parse(const std::string_view (&table)[N], std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (table[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}
}  // namespace detail

/// How many values each enum has.
inline constexpr size_t kExprOpCount = std::size(detail::kExprOpSpellings);
inline constexpr size_t kFailurePolicyCount = std::size(detail::kFailurePolicySpellings);
inline constexpr size_t kRunnerKindCount = std::size(detail::kRunnerKindSpellings);

/// The spelling of an operator, such as `+` for `Add` and `struct` for `StructLit`.
constexpr std::string_view spelling(ExprOp op) {
  return detail::kExprOpSpellings[static_cast<size_t>(op)];
}
/// The spelling of a failure policy, such as `fail_fast`.
constexpr std::string_view spelling(FailurePolicy p) {
  return detail::kFailurePolicySpellings[static_cast<size_t>(p)];
}
/// The spelling of a runner kind, such as `shell`.
constexpr std::string_view spelling(RunnerKind k) {
  return detail::kRunnerKindSpellings[static_cast<size_t>(k)];
}

/// The operator spelled `text` (`+`, `not`, `struct`), or none.
constexpr std::optional<ExprOp> parse_expr_op(std::string_view text) {
  return detail::parse<ExprOp>(detail::kExprOpSpellings, text);
}
/// The failure policy spelled `text` (`continue`), or none.
constexpr std::optional<FailurePolicy> parse_failure_policy(std::string_view text) {
  return detail::parse<FailurePolicy>(detail::kFailurePolicySpellings, text);
}
/// The runner kind spelled `text` (`builtin`), or none.
constexpr std::optional<RunnerKind> parse_runner_kind(std::string_view text) {
  return detail::parse<RunnerKind>(detail::kRunnerKindSpellings, text);
}

}  // namespace flyte::ir
