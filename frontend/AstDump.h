// A stable, readable dump of the AST (`flytec emit --format=ast`), for tests and people.
#pragma once

#include <ostream>
#include <string>

#include "frontend/Ast.h"
#include "ir/diag/SourceManager.h"

namespace flyte {

/// Writes one line per declaration, member and statement, with expressions as
/// S-expressions: `let w = (call softmax_regression x=(. train x) classes=10)`.
void dump_ast(const ast::File& file, const SourceManager& sm, std::ostream& out);

/// The S-expression of one expression, as `dump_ast` prints it.
std::string dump_expr(const ast::Expr* e);

/// A type as written in source form: `Tensor<f32, [N, D]>?`.
std::string dump_type(const ast::TypeExpr* t);

}  // namespace flyte
