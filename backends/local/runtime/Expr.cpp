// Expression node evaluation.
#include "backends/local/runtime/Expr.h"

#include <fmt/format.h>

namespace flyte::rt {
namespace {

std::optional<Value> arithmetic(char op, const Value& a, const Value& b, bool integer,
                                std::string& error) {
  if (integer && a.is_number_integer() && b.is_number_integer()) {
    int64_t x = a.get<int64_t>();
    int64_t y = b.get<int64_t>();
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
      case '+': overflow = __builtin_add_overflow(x, y, &r); break;
      case '-': overflow = __builtin_sub_overflow(x, y, &r); break;
      case '*': overflow = __builtin_mul_overflow(x, y, &r); break;
      default:
        if (y == 0) {
          error = fmt::format("division by zero: {} / 0", x);
          return std::nullopt;
        }
        overflow = x == INT64_MIN && y == -1;
        r = overflow ? 0 : x / y;
    }
    if (overflow) {
      error = fmt::format("integer overflow: {} {} {}", x, op, y);
      return std::nullopt;
    }
    return Value(r);
  }
  double x = a.get<double>();
  double y = b.get<double>();
  switch (op) {
    case '+': return Value(x + y);
    case '-': return Value(x - y);
    case '*': return Value(x * y);
    default:
      if (y == 0) {
        error = fmt::format("division by zero: {} / 0", x);
        return std::nullopt;
      }
      return Value(x / y);
  }
}

std::optional<bool> compare(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>();
    double y = b.get<double>();
    if (a.is_number_integer() && b.is_number_integer()) {
      int64_t i = a.get<int64_t>();
      int64_t j = b.get<int64_t>();
      if (op == "<") return i < j;
      if (op == "<=") return i <= j;
      if (op == ">") return i > j;
      return i >= j;
    }
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    return x >= y;
  }
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

}  // namespace

std::optional<Value> eval_expr(const std::string& op,
                               const std::vector<std::pair<std::string, Value>>& operands,
                               TypeKind result_type, std::string& error) {
  auto at = [&](size_t i) -> const Value& { return operands.at(i).second; };
  if (op == "list") {
    Value out = Value::array();
    for (const auto& [name, v] : operands) out.push_back(v);
    return out;
  }
  if (op == "map" || op.rfind("struct", 0) == 0) {
    Value out = Value::object();
    for (const auto& [name, v] : operands) out[name] = v;
    return out;
  }
  if (op == "not") return Value(!at(0).get<bool>());
  if (op == "neg") {
    if (at(0).is_number_integer()) {
      int64_t x = at(0).get<int64_t>();
      if (x == INT64_MIN) {
        error = "integer overflow: -(-9223372036854775808)";
        return std::nullopt;
      }
      return Value(-x);
    }
    return Value(-at(0).get<double>());
  }
  if (op == "and") return Value(at(0).get<bool>() && at(1).get<bool>());
  if (op == "or") return Value(at(0).get<bool>() || at(1).get<bool>());
  if (op == "+" || op == "-" || op == "*" || op == "/") {
    bool integer = result_type == TypeKind::Int || result_type == TypeKind::Size;
    if (op == "+" && at(0).is_string())
      return Value(at(0).get<std::string>() + at(1).get<std::string>());
    return arithmetic(op[0], at(0), at(1), integer, error);
  }
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    return Value(*compare(op, at(0), at(1)));
  }
  error = fmt::format("unknown operator '{}'", op);
  return std::nullopt;
}

}  // namespace flyte::rt
