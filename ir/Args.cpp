#include "ir/Args.h"

#include <vector>

namespace flyte::ir {

namespace {

// The name an operand of `n` takes at `param` when operands are positional.
std::string positional_name(const Node& n, uint32_t param) {
  switch (n.kind) {
    case Node::Kind::Map: return param == 0 ? "over" : "";
    case Node::Kind::Fail: return param == 0 ? "message" : "";
    case Node::Kind::Expr: break;
    default: return "";
  }
  switch (n.op) {
    case ExprOp::Not:
    case ExprOp::Neg: return param == 0 ? "x" : "";
    case ExprOp::ListLit: return std::to_string(param);
    default: return param == 0 ? "lhs" : param == 1 ? "rhs" : "";
  }
}

const std::vector<Param>* callee_params(const Module& m, const Node& n) {
  if (n.kind == Node::Kind::Task && n.task.index < m.tasks.size())
    return &m.tasks[n.task.index].inputs;
  if (n.kind == Node::Kind::Subworkflow && n.workflow.index < m.workflows.size())
    return &m.workflows[n.workflow.index].inputs;
  return nullptr;
}

const std::vector<FieldType>* struct_fields(const Module& m, const Node& n) {
  if (n.type.index >= m.types.count() || m.types.kind(n.type) != TypeKind::Struct) return nullptr;
  return &m.types.get(n.type).fields;
}

}  // namespace

std::string arg_name(const Module& m, const Workflow& w, const Node& n, const Arg& a) {
  if (n.kind == Node::Kind::Task || n.kind == Node::Kind::Subworkflow) {
    const std::vector<Param>* ps = callee_params(m, n);
    return ps != nullptr && a.param < ps->size() ? (*ps)[a.param].name : "";
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::StructLit) {
    const std::vector<FieldType>* fs = struct_fields(m, n);
    return fs != nullptr && a.param < fs->size() ? (*fs)[a.param].name : "";
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::MapLit)
    return a.param < w.keys.size() ? w.keys[a.param] : "";
  return positional_name(n, a.param);
}

bool arg_known(const Module& m, const Workflow& w, const Node& n, const Arg& a) {
  if (n.kind == Node::Kind::Task || n.kind == Node::Kind::Subworkflow) {
    const std::vector<Param>* ps = callee_params(m, n);
    return ps != nullptr && a.param < ps->size();
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::StructLit) {
    const std::vector<FieldType>* fs = struct_fields(m, n);
    return fs != nullptr && a.param < fs->size();
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::MapLit) return a.param < w.keys.size();
  return !positional_name(n, a.param).empty();
}

std::optional<uint32_t> arg_param(const Module& m, Workflow& w, const Node& n, size_t position,
                                  std::string_view name) {
  if (n.kind == Node::Kind::Task || n.kind == Node::Kind::Subworkflow) {
    const std::vector<Param>* ps = callee_params(m, n);
    for (uint32_t i = 0; ps != nullptr && i < ps->size(); ++i) {
      if ((*ps)[i].name == name) return i;
    }
    return std::nullopt;
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::StructLit) {
    const std::vector<FieldType>* fs = struct_fields(m, n);
    for (uint32_t i = 0; fs != nullptr && i < fs->size(); ++i) {
      if ((*fs)[i].name == name) return i;
    }
    return std::nullopt;
  }
  if (n.kind == Node::Kind::Expr && n.op == ExprOp::MapLit) {
    w.keys.emplace_back(name);
    return static_cast<uint32_t>(w.keys.size() - 1);
  }
  auto param = static_cast<uint32_t>(position);
  if (positional_name(n, param) != name) return std::nullopt;
  return param;
}

}  // namespace flyte::ir
