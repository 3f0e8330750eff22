// Drives the parse: hand-written lexer, ANTLR parser with SLL prediction first and full
// LL only when SLL fails, then the AST builder.
#include "frontend/Parser.h"

#include <fmt/format.h>

#include "FlyteParser.h"
#include "frontend/AntlrTokenStream.h"
#include "frontend/AstBuilder.h"
#include "frontend/FastPrediction.h"
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

// The index of the first token after the annotations starting at `i` (`@name` or
// `@name(…)` with balanced parentheses).
size_t skip_annotations(const std::vector<Token>& tokens, size_t i) {
  while (tokens[i].kind == TokenKind::AT && tokens[i + 1].kind == TokenKind::IDENT) {
    i += 2;
    if (tokens[i].kind != TokenKind::LPAREN) continue;
    int depth = 0;
    for (; tokens[i].kind != TokenKind::Eof; ++i) {
      if (tokens[i].kind == TokenKind::LPAREN) ++depth;
      if (tokens[i].kind == TokenKind::RPAREN && --depth == 0) break;
    }
    if (tokens[i].kind == TokenKind::Eof) return i;
    ++i;
  }
  return i;
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
  if (lexed.truncated) return result;  // reported; the tokens end before the file does
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
  detail::install_fast_prediction(parser);

  // Stage 1: SLL prediction, bailing out at the first problem; it succeeds on every
  // valid program this grammar accepts. The top level is driven from here, one
  // declaration at a time, and each declaration's parse tree is freed as soon as it is
  // translated: memory stays small and hot whatever the size of the file.
  set_mode(parser, antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  // The builder reads labelled fields only, so no children lists are needed here.
  parser.setBuildParseTree(false);
  {
    DiagnosticEngine fast_diags;
    detail::AstBuilder builder(lexed, sm.text(file), fast_diags, *result.file);
    try {
      if (stream.LA(1) == FlyteParser::MODULE) builder.add_module(parser.moduleDecl());
      parser.getTreeTracker().reset();
      while (stream.LA(1) == FlyteParser::IMPORT) {
        builder.add_import(parser.importDecl());
        parser.getTreeTracker().reset();
      }
      while (stream.LA(1) != antlr4::Token::EOF) {
        if (lexed.tokens[skip_annotations(lexed.tokens, stream.index())].kind ==
            TokenKind::WORKFLOW) {
          // A workflow: the head, then one statement at a time.
          auto* anns = parser.annotations();
          builder.begin_workflow(anns, parser.workflowHead());
          parser.getTreeTracker().reset();
          while (stream.LA(1) != FlyteParser::RBRACE) {
            if (stream.LA(1) == antlr4::Token::EOF) throw antlr4::ParseCancellationException();
            builder.add_workflow_stmt(parser.stmt());
            parser.getTreeTracker().reset();
            stream.release_before(stream.index());
          }
          builder.end_workflow(stream.index());
          stream.consume();
        } else {
          builder.add_decl(parser.decl());
          parser.getTreeTracker().reset();
        }
        stream.release_before(stream.index());
      }
      for (const Diagnostic& d : fast_diags.diagnostics()) {
        diags.report(d.code, d.range, d.message).notes = d.notes;
      }
      return result;
    } catch (const antlr4::ParseCancellationException&) {
      // Fall through to stage 2 with a fresh AST.
    }
  }

  // Stage 2: the input has an error (or needs full context). Parse the whole file
  // again with full LL and the error strategy that reports and recovers.
  result.stats.used_ll = true;
  result.file = std::make_unique<ast::File>();
  result.file->file = file;
  parser.reset();
  parser.setBuildParseTree(true);  // error recovery records skipped tokens in the tree
  set_mode(parser, antlr4::atn::PredictionMode::LL);
  parser.setErrorHandler(std::make_shared<detail::SyntaxErrorStrategy>(file, lexed, diags));
  FlyteParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const std::exception& e) {
    // The error strategy stops the parse once the error limit is reached.
    if (diags.limit_reached()) return result;
    // The runtime should not throw past its own recovery; if it does, say so instead
    // of crashing, and keep whatever was reported.
    diags.report(DiagCode::E0001, {file, 0, 0},
                 fmt::format("the parser could not recover from earlier errors ({})", e.what()));
    return result;
  }
  detail::AstBuilder(lexed, sm.text(file), diags, *result.file).add_file(tree);
  return result;
}

}  // namespace flyte
