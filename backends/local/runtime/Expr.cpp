// Expression node evaluation.
#include "backends/local/runtime/Expr.h"

#include <fmt/format.h>

namespace flyte::rt {
namespace {

using ir::ExprOp;

std::optional<Value> arithmetic(ExprOp op, const Value& a, const Value& b, bool integer,
                                std::string& error) {
  if (integer && a.is_number_integer() && b.is_number_integer()) {
    int64_t x = a.get<int64_t>();
    int64_t y = b.get<int64_t>();
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case ExprOp::Add: overflow = __builtin_add_overflow(x, y, &r); break;
      case ExprOp::Sub: overflow = __builtin_sub_overflow(x, y, &r); break;
      case ExprOp::Mul: overflow = __builtin_mul_overflow(x, y, &r); break;
      default:
        if (y == 0) {
          error = fmt::format("division by zero: {} / 0", x);
          return std::nullopt;
        }
        overflow = x == INT64_MIN && y == -1;
        r = overflow ? 0 : x / y;
    }
    if (overflow) {
      error = fmt::format("integer overflow: {} {} {}", x, ir::spelling(op), y);
      return std::nullopt;
    }
    return Value(r);
  }
  double x = a.get<double>();
  double y = b.get<double>();
  switch (op) {
    case ExprOp::Add: return Value(x + y);
    case ExprOp::Sub: return Value(x - y);
    case ExprOp::Mul: return Value(x * y);
    default:
      if (y == 0) {
        error = fmt::format("division by zero: {} / 0", x);
        return std::nullopt;
      }
      return Value(x / y);
  }
}

// `<`, `<=`, `>`, `>=` of two values of one kind.
template <class T>
bool ordered(ExprOp op, const T& a, const T& b) {
  switch (op) {
    case ExprOp::Lt: return a < b;
    case ExprOp::Le: return a <= b;
    case ExprOp::Gt: return a > b;
    default: return a >= b;
  }
}

bool compare(ExprOp op, const Value& a, const Value& b) {
  if (op == ExprOp::Eq) return a == b;
  if (op == ExprOp::Ne) return a != b;
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer())
      return ordered(op, a.get<int64_t>(), b.get<int64_t>());
    return ordered(op, a.get<double>(), b.get<double>());
  }
  return ordered(op, a, b);
}

}  // namespace

std::optional<Value> eval_expr(ExprOp op,
                               const std::vector<std::pair<std::string, Value>>& operands,
                               TypeKind result_type, std::string& error) {
  auto at = [&](size_t i) -> const Value& { return operands.at(i).second; };
  switch (op) {
    case ExprOp::ListLit: {
      Value out = Value::array();
      for (const auto& [name, v] : operands) out.push_back(v);
      return out;
    }
    case ExprOp::MapLit:
    case ExprOp::StructLit: {
      Value out = Value::object();
      for (const auto& [name, v] : operands) out[name] = v;
      return out;
    }
    case ExprOp::Not: return Value(!at(0).get<bool>());
    case ExprOp::Neg:
      if (at(0).is_number_integer()) {
        int64_t x = at(0).get<int64_t>();
        if (x == INT64_MIN) {
          error = "integer overflow: -(-9223372036854775808)";
          return std::nullopt;
        }
        return Value(-x);
      }
      return Value(-at(0).get<double>());
    case ExprOp::And: return Value(at(0).get<bool>() && at(1).get<bool>());
    case ExprOp::Or: return Value(at(0).get<bool>() || at(1).get<bool>());
    case ExprOp::Add:
    case ExprOp::Sub:
    case ExprOp::Mul:
    case ExprOp::Div: {
      bool integer = result_type == TypeKind::Int || result_type == TypeKind::Size;
      if (op == ExprOp::Add && at(0).is_string())
        return Value(at(0).get<std::string>() + at(1).get<std::string>());
      return arithmetic(op, at(0), at(1), integer, error);
    }
    case ExprOp::Eq:
    case ExprOp::Ne:
    case ExprOp::Lt:
    case ExprOp::Le:
    case ExprOp::Gt:
    case ExprOp::Ge: return Value(compare(op, at(0), at(1)));
  }
  error = fmt::format("unknown operator {}", static_cast<int>(op));
  return std::nullopt;
}

}  // namespace flyte::rt
