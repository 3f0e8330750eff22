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

/// One token: 12 bytes, as a large file has over a million. Its line is found from its
/// offset when needed (only to report an error), and its doc comment in
/// `LexedFile::docs`.
struct Token {
  TokenKind kind;
  /// Set when the lexer already reported the token as a malformed literal (E0002),
  /// so that later phases do not report it again.
  bool malformed = false;
  uint32_t begin;
  uint32_t end;
};

/// The text of a run of `///` lines, with the `///` and one following space removed.
struct DocComment {
  uint32_t begin;
  uint32_t end;
  std::string text;
  /// The index of the token it documents, the next one.
  uint32_t token = UINT32_MAX;
};

/// Everything the lexer learns about a file.
struct LexedFile {
  static constexpr uint32_t kNoDoc = UINT32_MAX;
  std::vector<Token> tokens;     // ends with an Eof token
  std::vector<DocComment> docs;  // in the order of their tokens
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

  /// The index in `docs` of the doc comment of token `i`, or kNoDoc.
  uint32_t doc_of(size_t i) const;
};

}  // namespace flyte
