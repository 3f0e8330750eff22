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

namespace flyte {

/// What checking learned, for the passes and backends that come after it.
struct Semantics {
  TypeTable types;
  /// The type of every checked expression.
  std::unordered_map<const ast::Expr*, TypeId> expr_types;
  /// The task or workflow each call resolved to.
  std::unordered_map<const ast::CallExpr*, const ast::Decl*> callees;
  /// Each task's and workflow's parameter types and outputs (a single unnamed output
  /// is "o").
  std::unordered_map<const ast::Decl*, std::vector<TypeId>> param_types;
  std::unordered_map<const ast::Decl*, std::vector<FieldType>> outputs;
  /// The module each declaration belongs to.
  std::unordered_map<const ast::Decl*, const Module*> modules;

  /// The type of a checked expression; Error for one that was not checked.
  TypeId type_of(const ast::Expr* e) const {
    auto it = expr_types.find(e);
    return it == expr_types.end() ? types.error() : it->second;
  }
};

/// Checks every module of `program`; diagnostics go to `diags`.
std::unique_ptr<Semantics> check_program(const Program& program, const SourceManager& sm,
                                         DiagnosticEngine& diags);

}  // namespace flyte
