// Syntax error messages. ANTLR's own texts ("mismatched input 'x' expecting {...}")
// name grammar internals; these name what the user was writing instead.
#include "frontend/SyntaxErrors.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "FlyteParser.h"

namespace flyte::detail {
namespace {

using grammar::FlyteParser;

bool has(const antlr4::misc::IntervalSet& set, size_t t) { return set.contains(t); }

bool is_closer(size_t t) {
  return t == FlyteParser::RPAREN || t == FlyteParser::RBRACE || t == FlyteParser::RBRACK ||
         t == FlyteParser::GT;
}

size_t opener_of(size_t closer) {
  switch (closer) {
    case FlyteParser::RPAREN: return FlyteParser::LPAREN;
    case FlyteParser::RBRACE: return FlyteParser::LBRACE;
    case FlyteParser::RBRACK: return FlyteParser::LBRACK;
    default: return FlyteParser::LT;
  }
}

std::string spelling(size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  if (type == 0 || type >= static_cast<size_t>(TokenKind::Count)) return "a token";
  return std::string(token_spelling(static_cast<TokenKind>(type)));
}

// What the innermost rule is building, for "to close the …" and "in the …".
std::string construct_of(antlr4::ParserRuleContext* ctx, size_t closer) {
  for (; ctx != nullptr; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
    switch (ctx->getRuleIndex()) {
      case FlyteParser::RuleTaskDecl:
        return closer == FlyteParser::RBRACE ? "task body" : "parameter list";
      case FlyteParser::RuleWorkflowDecl:
        return closer == FlyteParser::RBRACE ? "workflow body" : "parameter list";
      case FlyteParser::RuleWorkflowHead:
      case FlyteParser::RuleParamList:
      case FlyteParser::RuleParam:
        if (closer == FlyteParser::RPAREN) return "parameter list";
        break;
      case FlyteParser::RuleOutputs:
        if (closer == FlyteParser::RPAREN) return "list of outputs";
        break;
      case FlyteParser::RuleStructDecl: return "struct declaration";
      case FlyteParser::RuleEnumDecl: return "enum declaration";
      case FlyteParser::RuleImportDecl: return "list of imported names";
      case FlyteParser::RuleAnnotation: return "annotation's arguments";
      case FlyteParser::RuleRunner: return "runner's arguments";
      case FlyteParser::RuleType:
        if (closer == FlyteParser::GT) return "type arguments";
        break;
      case FlyteParser::RuleShape: return "shape";
      case FlyteParser::RuleLetStmt:
        if (closer == FlyteParser::RPAREN) return "names bound by 'let'";
        break;
      case FlyteParser::RuleBlock: return "block";
      case FlyteParser::RuleExpr:
        if (dynamic_cast<FlyteParser::CallExprContext*>(ctx) && closer == FlyteParser::RPAREN)
          return "argument list";
        if (dynamic_cast<FlyteParser::ListExprContext*>(ctx)) return "list";
        if (dynamic_cast<FlyteParser::MapExprContext*>(ctx)) return "map";
        if (dynamic_cast<FlyteParser::StructExprContext*>(ctx)) return "struct value";
        if (dynamic_cast<FlyteParser::FailExprContext*>(ctx)) return "'fail' message";
        if (dynamic_cast<FlyteParser::ParenExprContext*>(ctx)) return "parentheses";
        break;
      default: break;
    }
  }
  return "";
}

// What the parser was in the middle of, for "expected a type" style messages.
std::string expected_noun(antlr4::ParserRuleContext* ctx, const antlr4::misc::IntervalSet& set) {
  bool expr_start =
      has(set, FlyteParser::INT) && has(set, FlyteParser::IDENT) && has(set, FlyteParser::LBRACK);
  bool decl_start = has(set, FlyteParser::TASK) && has(set, FlyteParser::WORKFLOW);
  if (decl_start) {
    return "a declaration ('task', 'workflow', 'struct', 'enum', 'type' or 'launch')";
  }
  if (ctx != nullptr && has(set, FlyteParser::LET) && has(set, FlyteParser::RETURN)) {
    return "'let', 'return' or '}'";
  }
  if (expr_start) {
    return has(set, FlyteParser::LET) ? "'let' or an expression" : "an expression";
  }
  if (ctx != nullptr && ctx->getRuleIndex() == FlyteParser::RuleType &&
      has(set, FlyteParser::IDENT) && set.size() <= 2) {
    return "a type";
  }
  std::vector<std::string> names;
  for (ssize_t t : set.toList()) {
    std::string s = spelling(static_cast<size_t>(t));
    if (std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  }
  if (names.empty()) return "something else";
  if (names.size() > 6) return "something else";
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

size_t closer_of(size_t opener) {
  switch (opener) {
    case FlyteParser::LPAREN: return FlyteParser::RPAREN;
    case FlyteParser::LBRACE: return FlyteParser::RBRACE;
    default: return FlyteParser::RBRACK;
  }
}

bool starts_declaration(TokenKind k) {
  switch (k) {
    case TokenKind::TASK:
    case TokenKind::WORKFLOW:
    case TokenKind::STRUCT:
    case TokenKind::ENUM:
    case TokenKind::TYPE:
    case TokenKind::LAUNCH:
    case TokenKind::IMPORT:
    case TokenKind::MODULE:
    case TokenKind::Eof: return true;
    default: return false;
  }
}

// Names the construct an opening bracket begins, from the tokens around it.
std::string construct_before(const LexedFile& lexed, size_t i) {
  const auto& t = lexed.tokens;
  TokenKind open = t[i].kind;
  TokenKind prev = i > 0 ? t[i - 1].kind : TokenKind::Invalid;
  TokenKind prev2 = i > 1 ? t[i - 2].kind : TokenKind::Invalid;
  if (open == TokenKind::LPAREN) {
    if (prev == TokenKind::IDENT && (prev2 == TokenKind::TASK || prev2 == TokenKind::WORKFLOW))
      return "parameter list";
    if (prev == TokenKind::IDENT && prev2 == TokenKind::AT) return "annotation's arguments";
    if (prev == TokenKind::IDENT || prev == TokenKind::RPAREN) return "argument list";
    if (prev == TokenKind::ARROW) return "list of outputs";
    if (prev == TokenKind::FAIL) return "'fail' message";
    if (prev == TokenKind::LET) return "names bound by 'let'";
    return "parentheses";
  }
  if (open == TokenKind::LBRACK) {
    return prev == TokenKind::COMMA || prev == TokenKind::LT ? "shape" : "list";
  }
  if (open == TokenKind::DOT_LBRACE) return "list of imported names";
  // A brace: walk back over balanced brackets to the keyword that owns it.
  int depth = 0;
  for (size_t j = i; j-- > 0;) {
    TokenKind k = t[j].kind;
    if (k == TokenKind::RPAREN || k == TokenKind::RBRACK || k == TokenKind::GT) ++depth;
    if (k == TokenKind::LPAREN || k == TokenKind::LBRACK || k == TokenKind::LT) --depth;
    if (depth > 0) continue;
    if (depth < 0) break;
    if (k == TokenKind::TASK) return "task body";
    if (k == TokenKind::WORKFLOW) return "workflow body";
    if (k == TokenKind::STRUCT) return "struct declaration";
    if (k == TokenKind::ENUM) return "enum declaration";
    if (k == TokenKind::IF || k == TokenKind::ELSE || k == TokenKind::FOR) return "block";
    if (k == TokenKind::ASSIGN || k == TokenKind::COMMA || k == TokenKind::COLON ||
        k == TokenKind::LBRACE || k == TokenKind::RBRACE || k == TokenKind::SEMI ||
        k == TokenKind::LET || k == TokenKind::RETURN) {
      break;
    }
  }
  if (prev == TokenKind::IDENT && i + 2 < t.size() && t[i + 1].kind == TokenKind::IDENT &&
      t[i + 2].kind == TokenKind::ASSIGN) {
    return "struct value";
  }
  if (prev == TokenKind::ASSIGN || prev == TokenKind::LPAREN || prev == TokenKind::COMMA ||
      prev == TokenKind::LBRACK || prev == TokenKind::COLON) {
    return "map";
  }
  return "block";
}

}  // namespace

bool SyntaxErrorStrategy::report_unclosed(antlr4::Parser* p, size_t offending) {
  const auto& t = lexed_.tokens;
  if (offending >= t.size() || offending == 0) return false;
  // The parser may stop at an opening bracket whose contents it could not predict:
  // `f(1, 2` then `let`. Look ahead for where that bracket should have closed.
  if (t[offending].kind == TokenKind::LPAREN || t[offending].kind == TokenKind::LBRACK) {
    auto close = closer_of(static_cast<size_t>(t[offending].kind));
    std::vector<size_t> stack;
    for (size_t j = offending + 1; j < t.size(); ++j) {
      TokenKind k = t[j].kind;
      auto kn = static_cast<size_t>(k);
      bool closer =
          kn == FlyteParser::RPAREN || kn == FlyteParser::RBRACK || kn == FlyteParser::RBRACE;
      if (k == TokenKind::LPAREN || k == TokenKind::LBRACK || k == TokenKind::LBRACE) {
        stack.push_back(closer_of(kn));
        continue;
      }
      if (closer && !stack.empty()) {
        if (stack.back() != kn) break;  // mismatched inside: not this bracket's problem
        stack.pop_back();
        continue;
      }
      if (closer && kn == close) break;  // it is closed; the error is elsewhere
      if (closer || starts_declaration(k) || k == TokenKind::LET || k == TokenKind::RETURN) {
        return report_unclosed_at(offending, j);
      }
    }
  }
  // Scan the current top-level construct for brackets still open at the error.
  size_t start = offending;
  for (auto* c = p->getContext(); c != nullptr;
       c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (c->getRuleIndex() == FlyteParser::RuleFile) break;
    if (c->start != nullptr && c->start->getTokenIndex() < start) {
      start = c->start->getTokenIndex();
    }
  }
  std::vector<size_t> open;
  for (size_t j = start; j < offending; ++j) {
    TokenKind k = t[j].kind;
    if (k == TokenKind::LPAREN || k == TokenKind::LBRACK || k == TokenKind::LBRACE ||
        k == TokenKind::DOT_LBRACE) {
      open.push_back(j);
    } else if ((k == TokenKind::RPAREN || k == TokenKind::RBRACK || k == TokenKind::RBRACE) &&
               !open.empty()) {
      open.pop_back();
    }
  }
  if (open.empty()) return false;
  size_t o = open.back();
  auto open_kind =
      static_cast<size_t>(t[o].kind == TokenKind::DOT_LBRACE ? TokenKind::LBRACE : t[o].kind);
  size_t close = closer_of(open_kind);
  TokenKind k = t[offending].kind;
  auto kn = static_cast<size_t>(k);
  std::string construct = construct_before(lexed_, o);
  bool terminated =
      starts_declaration(k) ||
      // Statements end any expression bracket.
      ((k == TokenKind::LET || k == TokenKind::RETURN) && open_kind != FlyteParser::LBRACE) ||
      // A closing bracket of another kind.
      ((kn == FlyteParser::RPAREN || kn == FlyteParser::RBRACK || kn == FlyteParser::RBRACE) &&
       kn != close) ||
      // The body or the result type of a task or workflow.
      (construct == "parameter list" && (k == TokenKind::LBRACE || k == TokenKind::ARROW));
  if (!terminated) return false;
  return report_unclosed_at(o, offending);
}

void SyntaxErrorStrategy::sync(antlr4::Parser* p) {
  if (diags_.limit_reached()) throw antlr4::ParseCancellationException();
  DefaultErrorStrategy::sync(p);
}

void SyntaxErrorStrategy::recover(antlr4::Parser* p, std::exception_ptr e) {
  if (diags_.limit_reached()) throw antlr4::ParseCancellationException();
  DefaultErrorStrategy::recover(p, e);
}

antlr4::Token* SyntaxErrorStrategy::recoverInline(antlr4::Parser* p) {
  if (diags_.limit_reached()) throw antlr4::ParseCancellationException();
  return DefaultErrorStrategy::recoverInline(p);
}

bool SyntaxErrorStrategy::report_unclosed_at(size_t open, size_t terminator) {
  const auto& t = lexed_.tokens;
  auto open_kind =
      static_cast<size_t>(t[open].kind == TokenKind::DOT_LBRACE ? TokenKind::LBRACE : t[open].kind);
  uint32_t at = t[terminator - 1].end;
  Diagnostic& d =
      diags_.report(DiagCode::E0001, {file_, at, at},
                    fmt::format("expected {} to close the {}", spelling(closer_of(open_kind)),
                                construct_before(lexed_, open)));
  d.notes.push_back({fmt::format("to match this {}", spelling(static_cast<size_t>(t[open].kind))),
                     SourceRange{file_, t[open].begin, t[open].end}});
  // What follows up to the next declaration or statement is a consequence of this one
  // mistake; do not report it again.
  size_t resume = terminator;
  while (resume < t.size() && !starts_declaration(t[resume].kind) &&
         t[resume].kind != TokenKind::LET && t[resume].kind != TokenKind::RETURN) {
    ++resume;
  }
  quiet_until_ = resume;
  return true;
}

// The construct a missing ';' ends, when the parser is in one that needs it.
static const char* semicolon_construct(antlr4::ParserRuleContext* ctx) {
  if (ctx == nullptr) return nullptr;
  switch (ctx->getRuleIndex()) {
    case FlyteParser::RuleImportDecl: return "the import";
    case FlyteParser::RuleModuleDecl: return "the module name";
    case FlyteParser::RuleAliasDecl: return "the type alias";
    case FlyteParser::RuleLaunchDecl: return "the launch";
    default: return nullptr;
  }
}

bool SyntaxErrorStrategy::suppressed(antlr4::Parser* p, size_t offending) {
  // Runners are checked by the AST builder, which knows the three forms.
  if (p->getContext() != nullptr && p->getContext()->getRuleIndex() == FlyteParser::RuleRunner) {
    return true;
  }
  if (offending < quiet_until_) return true;
  if (offending == last_error_token_) return true;  // one message per token
  last_error_token_ = offending;
  return false;
}

SourceRange SyntaxErrorStrategy::range_of(antlr4::Token* t) const {
  size_t i = t ? t->getTokenIndex() : SIZE_MAX;
  if (i >= lexed_.tokens.size()) return {file_, 0, 0};
  const Token& tok = lexed_.tokens[i];
  return {file_, tok.begin, tok.end};
}

SourceRange SyntaxErrorStrategy::after_previous(antlr4::Token* t) const {
  size_t i = t ? t->getTokenIndex() : SIZE_MAX;
  if (i == 0 || i >= lexed_.tokens.size()) return range_of(t);
  uint32_t end = lexed_.tokens[i - 1].end;
  return {file_, end, end};
}

// Finds the bracket that `closer` would close, searching back from the current token
// within the current rule, and adds a note there.
static void note_opener(antlr4::Parser* p, size_t closer, Diagnostic& d, FileId file,
                        const LexedFile& lexed) {
  antlr4::ParserRuleContext* ctx = p->getContext();
  size_t current = p->getCurrentToken()->getTokenIndex();
  size_t stop = 0;
  // Search the enclosing rules too: `f(a, b {` is still inside the call.
  for (auto* c = ctx; c != nullptr; c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (c->getStart() != nullptr) stop = c->getStart()->getTokenIndex();
    if (!construct_of(c, closer).empty()) break;
  }
  size_t open = opener_of(closer);
  int depth = 0;
  for (size_t i = std::min(current, lexed.tokens.size()); i-- > stop;) {
    auto k = static_cast<size_t>(lexed.tokens[i].kind);
    if (k == closer) ++depth;
    if (k == open) {
      if (depth == 0) {
        d.notes.push_back({fmt::format("to match this {}", spelling(open)),
                           SourceRange{file, lexed.tokens[i].begin, lexed.tokens[i].end}});
        return;
      }
      --depth;
    }
  }
}

void SyntaxErrorStrategy::report_unexpected(antlr4::Parser* p, antlr4::Token* offending,
                                            const antlr4::misc::IntervalSet& expected) {
  size_t index = offending ? offending->getTokenIndex() : SIZE_MAX;
  if (suppressed(p, index)) return;
  if (report_unclosed(p, index)) return;
  std::string found = offending == nullptr || offending->getType() == antlr4::Token::EOF
                          ? "end of file"
                          : fmt::format("'{}'", offending->getText().substr(0, 40));
  antlr4::ParserRuleContext* ctx = p->getContext();
  if (const char* what = semicolon_construct(ctx);
      what != nullptr && has(expected, FlyteParser::SEMI)) {
    diags_.report(DiagCode::E0001, after_previous(offending),
                  fmt::format("expected ';' after {}, found {}", what, found));
    return;
  }
  std::string message;
  size_t closer = 0;
  for (size_t t :
       {FlyteParser::RPAREN, FlyteParser::RBRACE, FlyteParser::RBRACK, FlyteParser::GT}) {
    if (has(expected, t)) closer = t;
  }
  std::string construct = closer ? construct_of(ctx, closer) : "";
  if (expected.size() == 1 && closer != 0 && !construct.empty()) {
    message =
        fmt::format("expected {} to close the {}, found {}", spelling(closer), construct, found);
  } else {
    message = fmt::format("expected {}, found {}", expected_noun(ctx, expected), found);
    if (!construct.empty()) message += fmt::format(" in the {}", construct);
  }
  Diagnostic& d = diags_.report(DiagCode::E0001, range_of(offending), message);
  if (closer != 0 && !construct.empty()) note_opener(p, closer, d, file_, lexed_);
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* p,
                                                    const antlr4::NoViableAltException& e) {
  // The offending token is where prediction gave up; the expected set is what could
  // start the construct at the start token.
  report_unexpected(p, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* p,
                                              const antlr4::InputMismatchException& e) {
  report_unexpected(p, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* p,
                                                const antlr4::FailedPredicateException& e) {
  report_unexpected(p, e.getOffendingToken(), p->getExpectedTokens());
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  antlr4::Token* t = p->getCurrentToken();
  size_t index = t->getTokenIndex();
  if (suppressed(p, index)) return;
  if (report_unclosed(p, index)) return;
  antlr4::misc::IntervalSet expected = getExpectedTokens(p);
  std::string what = t->getType() == antlr4::Token::EOF
                         ? "end of file"
                         : fmt::format("'{}'", t->getText().substr(0, 40));
  diags_.report(
      DiagCode::E0001, range_of(t),
      fmt::format("unexpected {}; expected {}", what, expected_noun(p->getContext(), expected)));
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  antlr4::Token* t = p->getCurrentToken();
  if (suppressed(p, t->getTokenIndex())) return;
  antlr4::misc::IntervalSet expected = getExpectedTokens(p);
  size_t missing = expected.getMinElement();
  std::string found = t->getType() == antlr4::Token::EOF
                          ? "end of file"
                          : fmt::format("'{}'", t->getText().substr(0, 40));
  std::string construct = is_closer(missing) ? construct_of(p->getContext(), missing) : "";
  std::string message;
  if (!construct.empty()) {
    message = fmt::format("expected {} to close the {}", spelling(missing), construct);
  } else if (const char* what = semicolon_construct(p->getContext());
             what != nullptr && missing == FlyteParser::SEMI) {
    message = fmt::format("expected ';' after {}, found {}", what, found);
  } else {
    message = fmt::format("expected {}, found {}", expected_noun(p->getContext(), expected), found);
  }
  Diagnostic& d = diags_.report(DiagCode::E0001, after_previous(t), message);
  if (!construct.empty()) note_opener(p, missing, d, file_, lexed_);
}

}  // namespace flyte::detail
