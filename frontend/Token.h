// Tokens produced by the lexer: a kind and a byte range, nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/diag/SourceManager.h"

namespace flyte {

/// A token kind such as `TokenKind::LPAREN`; numbered like the generated parser's.
enum class TokenKind : uint16_t {
  Invalid = 0,
#define TOKEN(name, spelling) name,
#include "frontend/TokenKinds.def"
  Count,
  Eof = 0xFFFF,
};

/// What a user would call the token kind: `')'`, `a name`, `end of file`.
std::string_view token_spelling(TokenKind kind);

/// One token. `doc` indexes `LexedFile::docs` when a `///` comment precedes it.
struct Token {
  static constexpr uint32_t kNoDoc = UINT32_MAX;
  TokenKind kind;
  /// Set when the lexer already reported the token as a malformed literal (E0002),
  /// so that later phases do not report it again.
  bool malformed = false;
  uint32_t begin;
  uint32_t end;
  uint32_t line;
  uint32_t doc = kNoDoc;
};

/// The text of a run of `///` lines, with the `///` and one following space removed.
struct DocComment {
  uint32_t begin;
  uint32_t end;
  std::string text;
};

/// Everything the lexer learns about a file.
struct LexedFile {
  std::vector<Token> tokens;  // ends with an Eof token
  std::vector<DocComment> docs;
  /// Byte ranges of `//` comments, kept only when asked (for `--verify`).
  std::vector<SourceRange> comments;
  /// The deepest nesting of brackets and prefix operators; the parser refuses input
  /// nested deeper than `kMaxNesting` rather than exhaust the stack.
  uint32_t max_nesting = 0;
  /// Where nesting first went past `kMaxNesting`, if it did.
  std::optional<uint32_t> too_deep_at;
  /// Lexing stopped early: too many tokens (reported) or the error limit was reached.
  /// The tokens do not cover the file, so it is not parsed.
  bool truncated = false;
};

}  // namespace flyte
