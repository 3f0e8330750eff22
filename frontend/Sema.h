// Semantic analysis: name resolution and type checking of a loaded program
// (LANGUAGE.md sections 3-6). Every error is reported with its location; a value that
// is wrong once is poisoned (the Error type) so that it is not reported again.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "frontend/Program.h"
#include "ir/Types.h"
#include "ir/diag/Diagnostic.h"
#include "support/Check.h"

namespace flyte {

/// What checking learned, for the passes and backends that come after it.
struct Semantics {
  TypeTable types;
  /// Each task's and workflow's parameter types and outputs (a single unnamed output
  /// is "o").
  std::unordered_map<const ast::Decl*, std::vector<TypeId>> param_types;
  std::unordered_map<const ast::Decl*, std::vector<FieldType>> outputs;
  /// The module each declaration belongs to.
  std::unordered_map<const ast::Decl*, const Module*> modules;

  /// The type of a checked expression; Error for one that was not checked. The checker
  /// records it in the expression itself (`ast::Expr::type`).
  TypeId type_of(const ast::Expr* e) const { return e->type; }
  /// The task or workflow a call resolved to; null when it resolved to none.
  const ast::Decl* callee_of(const ast::CallExpr* c) const { return c->resolved; }

  /// Name resolution (ast::kNoSlot in Ast.h): the slot of the binding a name refers to,
  /// such as `x` in `f(a = x)`; kNoSlot for an unknown name.
  uint32_t slot_of(const ast::NameExpr* n) const { return n->slot; }
  /// The slot of name `i` of a `let`: `let (a, b) = f()` binds a and b in two slots.
  uint32_t slot_of(const ast::Stmt* let, size_t i) const {
    return let->first_slot + static_cast<uint32_t>(i);
  }
  /// The slot of a `for` variable.
  uint32_t slot_of(const ast::ForExpr* f) const { return f->var_slot; }
  /// The slot of parameter `i` of a workflow: the parameters come first.
  static uint32_t param_slot(size_t i) { return static_cast<uint32_t>(i); }
  /// How many slots a workflow's bindings take: a table indexed by slot has this size.
  uint32_t slot_count(const ast::WorkflowDecl* w) const { return w->slot_count; }
};

/// Checks every module of `program`; diagnostics go to `diags`.
std::unique_ptr<Semantics> check_program(const Program& program, const SourceManager& sm,
                                         DiagnosticEngine& diags);

}  // namespace flyte
