// ANTLR error strategy that reports syntax errors as E0001 diagnostics in plain words
// ("expected ')' to close the parameter list") with a note at the opening bracket.
// Private to frontend/.
#pragma once

#include <antlr4-runtime.h>

#include <optional>

#include "frontend/AntlrTokenStream.h"
#include "frontend/Token.h"
#include "ir/diag/Diagnostic.h"

namespace flyte::detail {

class SyntaxErrorStrategy final : public antlr4::DefaultErrorStrategy {
 public:
  SyntaxErrorStrategy(FileId file, const LexedFile& lexed, DiagnosticEngine& diags)
      : file_(file), lexed_(lexed), diags_(diags) {}

  /// Once the error limit is reached these stop the parse (ParseCancellationException):
  /// nothing more would be reported, so recovering further is wasted work.
  void sync(antlr4::Parser* p) override;
  void recover(antlr4::Parser* p, std::exception_ptr e) override;
  antlr4::Token* recoverInline(antlr4::Parser* p) override;

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
  /// When the error at `offending` is really a bracket left open before it (the
  /// offending token starts a declaration or statement, or closes another kind of
  /// bracket), reports "expected ')' to close the …" after the previous token with a
  /// note at the opening bracket, and quiets what follows up to the next statement.
  bool report_unclosed(antlr4::Parser* p, size_t offending);
  bool report_unclosed_at(size_t open, size_t terminator);
  /// True when an error at `offending` should not be reported: inside a runner (the
  /// AST builder reports those), after an error it follows from, or twice.
  bool suppressed(antlr4::Parser* p, size_t offending);
  SourceRange after_previous(antlr4::Token* t) const;

  FileId file_;
  const LexedFile& lexed_;
  DiagnosticEngine& diags_;
  size_t last_error_token_ = SIZE_MAX;
  size_t quiet_until_ = 0;
};

}  // namespace flyte::detail
