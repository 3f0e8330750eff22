// The hand-written lexer: turns source text into tokens, doc comments and E0002
// diagnostics for malformed literals.
#pragma once

#include <string_view>

#include "frontend/Token.h"
#include "ir/diag/Diagnostic.h"

namespace flyte {

/// The parser refuses input nested deeper than this (brackets plus prefix operators),
/// so that no input can exhaust the stack.
inline constexpr uint32_t kMaxNesting = 200;

/// The lexer stops after this many tokens (E0001), so that memory stays bounded whatever
/// the input: the recovering parser needs a few hundred bytes per token. A real workflow
/// file has a few thousand; the 100,000-node benchmark program (bench/gen_nodes.py) has
/// 1.3 million, and a file of 2^21 tokens that are all errors stays near 500 MB.
inline constexpr uint32_t kMaxTokens = 1u << 21;

struct LexOptions {
  /// Keep the ranges of `//` comments (for `--verify`).
  bool keep_comments = false;
};

/// Lexes all of `file`. Problems are reported to `diags`; lexing completes, so that the
/// parser can report syntax errors after a bad literal in the same run, unless the file
/// holds more than `kMaxTokens` tokens or `diags` reached its error limit (then the
/// result is `truncated`).
LexedFile lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
              const LexOptions& options = {});

}  // namespace flyte
