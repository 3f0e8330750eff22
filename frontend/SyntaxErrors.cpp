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
        if (closer == FlyteParser::RPAREN) return "parameter list";
        break;
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
      default:
        break;
    }
  }
  return "";
}

// What the parser was in the middle of, for "expected a type" style messages.
std::string expected_noun(antlr4::ParserRuleContext* ctx, const antlr4::misc::IntervalSet& set) {
  bool expr_start = has(set, FlyteParser::INT) && has(set, FlyteParser::IDENT) &&
                    has(set, FlyteParser::LBRACK);
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
  if (ctx != nullptr && ctx->getRuleIndex() == FlyteParser::RuleType && has(set, FlyteParser::IDENT) &&
      set.size() <= 2) {
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

bool is_opener(size_t t) {
  return t == FlyteParser::LPAREN || t == FlyteParser::LBRACE || t == FlyteParser::LBRACK;
}

size_t closer_of(size_t opener) {
  switch (opener) {
    case FlyteParser::LPAREN: return FlyteParser::RPAREN;
    case FlyteParser::LBRACE: return FlyteParser::RBRACE;
    default: return FlyteParser::RBRACK;
  }
}

// Tokens that start a statement or declaration: a bracket still open when one of them
// arrives was almost certainly meant to be closed before it.
bool starts_statement(TokenKind k) {
  switch (k) {
    case TokenKind::LET:
    case TokenKind::RETURN:
    case TokenKind::TASK:
    case TokenKind::WORKFLOW:
    case TokenKind::STRUCT:
    case TokenKind::ENUM:
    case TokenKind::TYPE:
    case TokenKind::LAUNCH:
    case TokenKind::IMPORT:
    case TokenKind::MODULE:
    case TokenKind::Eof:
      return true;
    default:
      return false;
  }
}

// Names the construct an opening bracket begins, from the tokens before it.
std::string construct_before(const LexedFile& lexed, size_t i) {
  TokenKind open = lexed.tokens[i].kind;
  TokenKind prev = i > 0 ? lexed.tokens[i - 1].kind : TokenKind::Invalid;
  TokenKind prev2 = i > 1 ? lexed.tokens[i - 2].kind : TokenKind::Invalid;
  if (open == TokenKind::LPAREN) {
    if (prev == TokenKind::IDENT && (prev2 == TokenKind::TASK || prev2 == TokenKind::WORKFLOW))
      return "parameter list";
    if (prev == TokenKind::IDENT && prev2 == TokenKind::AT) return "annotation's arguments";
    if (prev == TokenKind::IDENT || prev == TokenKind::RPAREN) return "argument list";
    if (prev == TokenKind::ARROW) return "list of outputs";
    if (prev == TokenKind::FAIL) return "'fail' message";
    return "parenthesized expression";
  }
  if (open == TokenKind::LBRACK) return prev == TokenKind::COMMA || prev == TokenKind::LT ? "shape" : "list";
  return "block";
}

}  // namespace

std::optional<size_t> SyntaxErrorStrategy::report_unclosed(size_t open_index) {
  if (open_index >= lexed_.tokens.size()) return std::nullopt;
  auto open = static_cast<size_t>(lexed_.tokens[open_index].kind);
  if (!is_opener(open)) return std::nullopt;
  std::vector<size_t> stack;
  for (size_t j = open_index + 1; j < lexed_.tokens.size(); ++j) {
    TokenKind k = lexed_.tokens[j].kind;
    auto kn = static_cast<size_t>(k);
    if (is_opener(kn)) {
      stack.push_back(kn);
    } else if (kn == FlyteParser::RPAREN || kn == FlyteParser::RBRACE || kn == FlyteParser::RBRACK) {
      if (stack.empty()) return std::nullopt;  // closed, or closed by the wrong bracket
      if (closer_of(stack.back()) != kn) return std::nullopt;
      stack.pop_back();
    } else if (starts_statement(k) && (open != FlyteParser::LBRACE || k == TokenKind::Eof ||
                                       (k != TokenKind::LET && k != TokenKind::RETURN))) {
      uint32_t at = lexed_.tokens[j - 1].end;
      const Token& o = lexed_.tokens[open_index];
      Diagnostic& d = diags_.report(
          DiagCode::E0001, {file_, at, at},
          fmt::format("expected {} to close the {}", spelling(closer_of(open)),
                      construct_before(lexed_, open_index)));
      d.notes.push_back({fmt::format("to match this {}", spelling(open)), SourceRange{file_, o.begin, o.end}});
      return j;
    }
  }
  return std::nullopt;
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
    if (construct_of(c, closer).size() > 0) break;
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
  if (index == last_error_token_) return;  // one message per token
  last_error_token_ = index;
  if (report_unclosed(index)) return;
  std::string found = offending == nullptr || offending->getType() == antlr4::Token::EOF
                          ? "end of file"
                          : fmt::format("'{}'", offending->getText().substr(0, 40));
  antlr4::ParserRuleContext* ctx = p->getContext();
  std::string message;
  size_t closer = 0;
  for (size_t t : {FlyteParser::RPAREN, FlyteParser::RBRACE, FlyteParser::RBRACK, FlyteParser::GT}) {
    if (has(expected, t)) closer = t;
  }
  std::string construct = closer ? construct_of(ctx, closer) : "";
  if (expected.size() == 1 && closer != 0 && !construct.empty()) {
    message = fmt::format("expected {} to close the {}, found {}", spelling(closer), construct,
                          found);
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
  antlr4::Token* t = e.getOffendingToken();
  if (e.getStartToken() != nullptr && e.getStartToken() != t) {
    for (size_t i = e.getStartToken()->getTokenIndex(); i < t->getTokenIndex(); ++i) {
      if (report_unclosed(i)) {
        last_error_token_ = t->getTokenIndex();
        return;
      }
    }
  }
  report_unexpected(p, t, e.getExpectedTokens());
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
  antlr4::misc::IntervalSet expected = getExpectedTokens(p);
  size_t index = t->getTokenIndex();
  if (index == last_error_token_) return;
  last_error_token_ = index;
  if (report_unclosed(index)) return;
  std::string what = t->getType() == antlr4::Token::EOF
                         ? "end of file"
                         : fmt::format("'{}'", t->getText().substr(0, 40));
  diags_.report(DiagCode::E0001, range_of(t),
                fmt::format("unexpected {}; expected {}", what, expected_noun(p->getContext(), expected)));
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* p) {
  if (inErrorRecoveryMode(p)) return;
  beginErrorCondition(p);
  antlr4::Token* t = p->getCurrentToken();
  antlr4::misc::IntervalSet expected = getExpectedTokens(p);
  size_t missing = expected.getMinElement();
  std::string found = t->getType() == antlr4::Token::EOF
                          ? "end of file"
                          : fmt::format("'{}'", t->getText().substr(0, 40));
  last_error_token_ = t->getTokenIndex();
  std::string construct = is_closer(missing) ? construct_of(p->getContext(), missing) : "";
  std::string message;
  if (!construct.empty()) {
    message = fmt::format("expected {} to close the {}", spelling(missing), construct);
  } else if (missing == FlyteParser::SEMI && expected.size() == 1) {
    std::string after = "";
    switch (p->getContext()->getRuleIndex()) {
      case FlyteParser::RuleImportDecl: after = " after the import"; break;
      case FlyteParser::RuleModuleDecl: after = " after the module name"; break;
      case FlyteParser::RuleAliasDecl: after = " after the type alias"; break;
      case FlyteParser::RuleLaunchDecl: after = " after the launch"; break;
      default: break;
    }
    message = fmt::format("expected ';'{}, found {}", after, found);
  } else {
    message = fmt::format("expected {}, found {}", expected_noun(p->getContext(), expected), found);
  }
  Diagnostic& d = diags_.report(DiagCode::E0001, after_previous(t), message);
  if (!construct.empty()) note_opener(p, missing, d, file_, lexed_);
}

}  // namespace flyte::detail
