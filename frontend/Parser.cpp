// Drives the parse: hand-written lexer, ANTLR parser with SLL prediction first and full
// LL only when SLL fails, then the AST builder.
#include "frontend/Parser.h"

#include <fmt/format.h>

#include "FlyteParser.h"
#include "frontend/AntlrTokenStream.h"
#include "frontend/AstBuilder.h"
#include "frontend/Lexer.h"
#include "frontend/SyntaxErrors.h"

namespace flyte {
namespace {

using grammar::FlyteParser;

// The lexer and the generated parser must agree on every token number.
#define TOKEN(name, spelling) \
  static_assert(static_cast<size_t>(TokenKind::name) == FlyteParser::name, #name);
#include "frontend/TokenKinds.def"

void set_mode(FlyteParser& parser, antlr4::atn::PredictionMode mode) {
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(mode);
}

}  // namespace

ParseResult parse_file(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
                       const ParseOptions& options) {
  ParseResult result;
  result.file = std::make_unique<ast::File>();
  result.file->file = file;
  LexOptions lex_options;
  lex_options.keep_comments = options.keep_comments;
  LexedFile lexed = lex(sm, file, diags, lex_options);
  result.comments = std::move(lexed.comments);
  result.stats.tokens = lexed.tokens.size();
  if (lexed.too_deep_at) {
    uint32_t at = *lexed.too_deep_at;
    diags.report(DiagCode::E0001, {file, at, at + 1},
                 fmt::format("nesting is too deep: more than {} levels of brackets and prefix "
                             "operators",
                             kMaxNesting));
    return result;
  }

  detail::VectorTokenStream stream(lexed.tokens, sm.text(file), sm.name(file));
  FlyteParser parser(&stream);
  parser.removeErrorListeners();

  // Stage 1: SLL prediction, bailing out at the first problem. It succeeds on every
  // valid program this grammar accepts, and is much faster than full LL.
  set_mode(parser, antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  FlyteParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }

  // Stage 2: the input has an error (or needs full context). Parse again with full LL
  // and the error strategy that reports and recovers.
  if (tree == nullptr) {
    result.stats.used_ll = true;
    parser.reset();
    set_mode(parser, antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<detail::SyntaxErrorStrategy>(file, lexed, diags));
    try {
      tree = parser.file();
    } catch (const std::exception& e) {
      // The runtime should not throw past its own recovery; if it does, say so
      // instead of crashing, and keep whatever was reported.
      diags.report(DiagCode::E0001, {file, 0, 0},
                   fmt::format("the parser could not recover from earlier errors ({})", e.what()));
      return result;
    }
  }
  detail::build_ast(tree, lexed, sm.text(file), diags, *result.file);
  return result;
}

}  // namespace flyte
