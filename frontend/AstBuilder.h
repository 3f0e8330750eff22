// Translates ANTLR's parse tree into the AST. Private to frontend/.
#pragma once

#include "frontend/Ast.h"
#include "frontend/Diagnostic.h"
#include "frontend/Token.h"
#include "FlyteParser.h"

namespace flyte::detail {

/// Fills `out` from `tree`. Reports the syntax rules the grammar leaves to the builder
/// (runner words, callees that are not names, chained comparisons) as E0001.
void build_ast(grammar::FlyteParser::FileContext* tree, const LexedFile& lexed,
               std::string_view source, DiagnosticEngine& diags, ast::File& out);

}  // namespace flyte::detail
