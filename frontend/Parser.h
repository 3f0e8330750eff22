// The parser's public entry point: source text in, AST and diagnostics out.
#pragma once

#include <memory>
#include <vector>

#include "frontend/Ast.h"
#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"

namespace flyte {

struct ParseOptions {
  /// Keep the ranges of `//` comments in the result (for `--verify`).
  bool keep_comments = false;
};

/// How the parse went; for benchmarks and `--time-passes`-style reports.
struct ParseStats {
  size_t tokens = 0;
  /// True when SLL prediction failed and the file was parsed again with full LL.
  bool used_ll = false;
};

struct ParseResult {
  std::unique_ptr<ast::File> file;
  std::vector<SourceRange> comments;
  ParseStats stats;
};

/// Parses one file. Syntax errors and malformed literals go to `diags`; the returned
/// AST holds every declaration that could be recovered, with `ErrorExpr` where an
/// expression could not be.
ParseResult parse_file(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
                       const ParseOptions& options = {});

}  // namespace flyte
