// ANTLR error strategy that reports syntax errors as E0001 diagnostics in plain words
// ("expected ')' to close the parameter list") with a note at the opening bracket.
// Private to frontend/.
#pragma once

#include <antlr4-runtime.h>

#include <optional>

#include "frontend/AntlrTokenStream.h"
#include "frontend/Diagnostic.h"
#include "frontend/Token.h"

namespace flyte::detail {

class SyntaxErrorStrategy final : public antlr4::DefaultErrorStrategy {
 public:
  SyntaxErrorStrategy(FileId file, const LexedFile& lexed, DiagnosticEngine& diags)
      : file_(file), lexed_(lexed), diags_(diags) {}

 protected:
  void reportNoViableAlternative(antlr4::Parser* p, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* p, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* p) override;
  void reportMissingToken(antlr4::Parser* p) override;

 private:
  void report_unexpected(antlr4::Parser* p, antlr4::Token* offending,
                         const antlr4::misc::IntervalSet& expected);
  SourceRange range_of(antlr4::Token* t) const;
  /// When the token at `open_index` opens a bracket that a later statement keyword
  /// finds still open, reports "expected ')' to close the …" there and returns the
  /// keyword's index.
  std::optional<size_t> report_unclosed(size_t open_index);
  SourceRange after_previous(antlr4::Token* t) const;

  FileId file_;
  const LexedFile& lexed_;
  DiagnosticEngine& diags_;
  size_t last_error_token_ = SIZE_MAX;
};

}  // namespace flyte::detail
