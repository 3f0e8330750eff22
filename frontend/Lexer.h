// The hand-written lexer: turns source text into tokens, doc comments and E0002
// diagnostics for malformed literals.
#pragma once

#include <string_view>

#include "frontend/Diagnostic.h"
#include "frontend/Token.h"

namespace flyte {

/// The parser refuses input nested deeper than this (brackets plus prefix operators),
/// so that no input can exhaust the stack.
inline constexpr uint32_t kMaxNesting = 200;

struct LexOptions {
  /// Keep the ranges of `//` comments (for `--verify`).
  bool keep_comments = false;
};

/// Lexes all of `file`. Problems are reported to `diags`; lexing always completes, so
/// that the parser can report syntax errors after a bad literal in the same run.
LexedFile lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
              const LexOptions& options = {});

}  // namespace flyte
