// Small helpers on AST nodes.
#include "frontend/Ast.h"

namespace flyte::ast {

std::string QualName::str() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += parts[i].name;
  }
  return out;
}

std::string_view binary_op_spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
  }
  return "?";
}

bool is_constant(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Int:
    case ExprKind::Float:
    case ExprKind::Bool:
    case ExprKind::None:
    case ExprKind::String:
    case ExprKind::Duration:
    case ExprKind::Size:
    case ExprKind::Error: return true;
    case ExprKind::List:
      for (const Expr* x : static_cast<const ListExpr*>(e)->elements) {
        if (!is_constant(x)) return false;
      }
      return true;
    case ExprKind::Map:
      for (const auto& m : static_cast<const MapExpr*>(e)->entries) {
        if (!is_constant(m.value)) return false;
      }
      return true;
    case ExprKind::Struct:
      for (const auto& f : static_cast<const StructExpr*>(e)->fields) {
        if (!is_constant(f.value)) return false;
      }
      return true;
    default: return false;
  }
}

}  // namespace flyte::ast
