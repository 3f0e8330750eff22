// The hand-written lexer: token kinds, keywords, operators, doc comments, malformed
// literals (E0002) and unexpected characters (E0001).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "frontend/Lexer.h"

namespace flyte {

// Lets GoogleTest print token kinds by their spelling (`'('`, `a name`) in failures.
static void PrintTo(TokenKind kind, std::ostream* os) { *os << token_spelling(kind); }

namespace {

using K = TokenKind;

// Lexes one buffer and keeps everything a test might look at.
struct Lexed {
  SourceManager sm;
  DiagnosticEngine diags;
  FileId file;
  LexedFile out;

  explicit Lexed(std::string text, LexOptions options = {}) {
    file = sm.add_buffer("t.flyte", std::move(text));
    out = lex(sm, file, diags, options);
  }

  /// The kinds of all tokens but the final Eof.
  std::vector<K> kinds() const {
    std::vector<K> ks;
    for (const Token& t : out.tokens) {
      if (t.kind != K::Eof) ks.push_back(t.kind);
    }
    return ks;
  }
  std::string_view spelling(size_t i) const {
    const Token& t = out.tokens.at(i);
    return sm.text(file).substr(t.begin, t.end - t.begin);
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> cs;
    for (const Diagnostic& d : diags.diagnostics()) cs.emplace_back(diag_code_name(d.code));
    return cs;
  }
};

using Codes = std::vector<std::string>;

TEST(Lexer, EmptyInputIsJustEof) {
  Lexed l("");
  ASSERT_EQ(l.out.tokens.size(), 1u);
  EXPECT_EQ(l.out.tokens[0].kind, K::Eof);
  EXPECT_EQ(l.out.tokens[0].begin, 0u);
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, EofIsAtTheEndOfTheText) {
  Lexed l("x  // c\n");
  ASSERT_EQ(l.out.tokens.size(), 2u);
  EXPECT_EQ(l.out.tokens.back().kind, K::Eof);
  EXPECT_EQ(l.out.tokens.back().begin, 8u);
  EXPECT_EQ(l.out.tokens.back().end, 8u);
}

TEST(Lexer, SmallProgram) {
  Lexed l(
      "module a.b;\n"
      "import std.ml.{fit, predict};\n"
      "@retries(2)\n"
      "task t(x: List<int>, y: File?) -> (o: float) {\n"
      "    shell \"\"\"echo {x} > {o}\"\"\"\n"
      "}\n"
      "workflow w(n: int = 3) -> int {\n"
      "    let r = t(x = [1, 2], y = none)\n"
      "    return if n >= 2 and not false { n * 2 - 1 } else { 0x10 / n }\n"
      "}\n"
      "launch l = w(n = 4);\n");
  EXPECT_TRUE(l.codes().empty());
  // One line of tokens per line of source.
  // clang-format off
  std::vector<K> want = {
      K::MODULE, K::IDENT, K::DOT, K::IDENT, K::SEMI,
      K::IMPORT, K::IDENT, K::DOT, K::IDENT, K::DOT_LBRACE, K::IDENT, K::COMMA, K::IDENT,
      K::RBRACE, K::SEMI,
      K::AT, K::IDENT, K::LPAREN, K::INT, K::RPAREN,
      K::TASK, K::IDENT, K::LPAREN, K::IDENT, K::COLON, K::IDENT, K::LT, K::IDENT, K::GT,
      K::COMMA, K::IDENT, K::COLON, K::IDENT, K::QUESTION, K::RPAREN, K::ARROW, K::LPAREN,
      K::IDENT, K::COLON, K::IDENT, K::RPAREN, K::LBRACE,
      K::IDENT, K::RAW_STRING,
      K::RBRACE,
      K::WORKFLOW, K::IDENT, K::LPAREN, K::IDENT, K::COLON, K::IDENT, K::ASSIGN, K::INT,
      K::RPAREN, K::ARROW, K::IDENT, K::LBRACE,
      K::LET, K::IDENT, K::ASSIGN, K::IDENT, K::LPAREN, K::IDENT, K::ASSIGN, K::LBRACK, K::INT,
      K::COMMA, K::INT, K::RBRACK, K::COMMA, K::IDENT, K::ASSIGN, K::NONE, K::RPAREN,
      K::RETURN, K::IF, K::IDENT, K::GE, K::INT, K::AND, K::NOT, K::FALSE, K::LBRACE, K::IDENT,
      K::STAR, K::INT, K::MINUS, K::INT, K::RBRACE, K::ELSE, K::LBRACE, K::INT, K::SLASH,
      K::IDENT, K::RBRACE,
      K::RBRACE,
      K::LAUNCH, K::IDENT, K::ASSIGN, K::IDENT, K::LPAREN, K::IDENT, K::ASSIGN, K::INT, K::RPAREN,
      K::SEMI,
  };
  // clang-format on
  EXPECT_EQ(l.kinds(), want);
  EXPECT_EQ(l.out.tokens.back().kind, K::Eof);
}

TEST(Lexer, TokenRanges) {
  Lexed l("let  abc = 42\n\n  \"s\"");
  ASSERT_EQ(l.kinds().size(), 5u);
  EXPECT_EQ(l.spelling(0), "let");
  EXPECT_EQ(l.spelling(1), "abc");
  EXPECT_EQ(l.out.tokens[1].begin, 5u);
  EXPECT_EQ(l.out.tokens[1].end, 8u);
  EXPECT_EQ(l.spelling(3), "42");
  EXPECT_EQ(l.spelling(4), "\"s\"");
  EXPECT_EQ(l.out.tokens[4].begin, 17u);
}

TEST(Lexer, EveryKeyword) {
  Lexed l(
      "module import as struct enum type task workflow launch let return if else for in "
      "true false none and or not fail");
  std::vector<K> want = {K::MODULE, K::IMPORT,   K::AS,     K::STRUCT, K::ENUM,   K::TYPE,
                         K::TASK,   K::WORKFLOW, K::LAUNCH, K::LET,    K::RETURN, K::IF,
                         K::ELSE,   K::FOR,      K::IN,     K::TRUE,   K::FALSE,  K::NONE,
                         K::AND,    K::OR,       K::NOT,    K::FAIL};
  EXPECT_EQ(l.kinds(), want);
}

TEST(Lexer, KeywordsVersusIdentifiers) {
  // Runner words and type names are names; so are keywords with a prefix, a suffix or a
  // different case.
  Lexed l(
      "shell cpp builtin int float File Tensor List lets letter _let Let LET iff in_ x1 _ "
      "__init__ workflows");
  for (K k : l.kinds()) EXPECT_EQ(k, K::IDENT);
  EXPECT_EQ(l.kinds().size(), 19u);
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, IdentifierWithDigits) {
  Lexed l("a1b2 x_9");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::IDENT}));
  EXPECT_EQ(l.spelling(0), "a1b2");
}

TEST(Lexer, Punctuation) {
  Lexed l("( ) { } [ ] < > <= >= == != = , ; : . @ ? -> + - * /");
  std::vector<K> want = {K::LPAREN,   K::RPAREN, K::LBRACE, K::RBRACE, K::LBRACK, K::RBRACK,
                         K::LT,       K::GT,     K::LE,     K::GE,     K::EQ,     K::NE,
                         K::ASSIGN,   K::COMMA,  K::SEMI,   K::COLON,  K::DOT,    K::AT,
                         K::QUESTION, K::ARROW,  K::PLUS,   K::MINUS,  K::STAR,   K::SLASH};
  EXPECT_EQ(l.kinds(), want);
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, ShiftRightIsTwoGreaterThans) {
  Lexed l("List<List<int>>");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::LT, K::IDENT, K::LT, K::IDENT, K::GT, K::GT}));
  EXPECT_EQ(l.out.tokens[5].begin, 13u);
  EXPECT_EQ(l.out.tokens[6].begin, 14u);
  Lexed l2("a>>b");
  EXPECT_EQ(l2.kinds(), (std::vector<K>{K::IDENT, K::GT, K::GT, K::IDENT}));
}

TEST(Lexer, GreaterThanThenAssign) {
  // `>=` is one token, and `>>=` is '>' then '>='.
  Lexed l(">>= >==");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::GT, K::GE, K::GE, K::ASSIGN}));
}

TEST(Lexer, DotBraceIsOneToken) {
  // `.{` opens the name list of a selective import; it is one token.
  Lexed l("import a.b.{x}; a . {");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IMPORT, K::IDENT, K::DOT, K::IDENT, K::DOT_LBRACE,
                                       K::IDENT, K::RBRACE, K::SEMI, K::IDENT, K::DOT, K::LBRACE}));
  EXPECT_EQ(l.spelling(4), ".{");
}

TEST(Lexer, ArrowAndMinus) {
  Lexed l("-> - > -->-1");
  EXPECT_EQ(l.kinds(),
            (std::vector<K>{K::ARROW, K::MINUS, K::GT, K::MINUS, K::ARROW, K::MINUS, K::INT}));
}

TEST(Lexer, LessEqualAndEquals) {
  Lexed l("<= < = <== ===");
  EXPECT_EQ(l.kinds(),
            (std::vector<K>{K::LE, K::LT, K::ASSIGN, K::LE, K::ASSIGN, K::EQ, K::ASSIGN}));
}

TEST(Lexer, NumbersOfEachKind) {
  Lexed l("42 1_000 0x2A 0.5 1e-3 2.5E+4 30s 500ms 1.5h 512Mi 2G 1.5Gi 10m 1d");
  std::vector<K> want = {K::INT,   K::INT,      K::INT,      K::FLOAT,    K::FLOAT,
                         K::FLOAT, K::DURATION, K::DURATION, K::DURATION, K::SIZE,
                         K::SIZE,  K::SIZE,     K::DURATION, K::DURATION};
  EXPECT_EQ(l.kinds(), want);
  EXPECT_TRUE(l.codes().empty());
  for (const Token& t : l.out.tokens) EXPECT_FALSE(t.malformed);
}

TEST(Lexer, NumberFollowedByDotAndName) {
  // `1.x` is an int, a dot and a name; a dot starts a fraction only before a digit.
  Lexed l("1.x 2. 3..4");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::INT, K::DOT, K::IDENT, K::INT, K::DOT, K::INT, K::DOT,
                                       K::DOT, K::INT}));
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, NegativeNumberIsMinusThenNumber) {
  Lexed l("-1 -0.5");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::MINUS, K::INT, K::MINUS, K::FLOAT}));
}

TEST(Lexer, Strings) {
  Lexed l(R"("a" "b\"c" "" "\{x\}" """raw
text""")");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::STRING, K::STRING, K::STRING, K::STRING, K::RAW_STRING}));
  EXPECT_EQ(l.spelling(1), R"("b\"c")");
  EXPECT_EQ(l.spelling(4), "\"\"\"raw\ntext\"\"\"");
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, RawStringAcrossLines) {
  Lexed l("a \"\"\"x\ny\nz\"\"\" b");
  ASSERT_EQ(l.kinds().size(), 3u);
  EXPECT_EQ(l.out.tokens[1].end, 13u);  // a raw string spans its lines
  EXPECT_EQ(l.out.tokens[2].begin, 14u);
}

TEST(Lexer, EmptyStringThenQuote) {
  // `""` followed by something other than a third quote is an empty string.
  Lexed l("\"\" x");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::STRING, K::IDENT}));
}

TEST(Lexer, CommentsAreSkipped) {
  Lexed l("a // line\nb /* block\n * more */ c /**/ d\n// end");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::IDENT, K::IDENT, K::IDENT}));
  EXPECT_EQ(l.spelling(2), "c");
  EXPECT_TRUE(l.out.comments.empty());
  EXPECT_TRUE(l.codes().empty());
}

TEST(Lexer, KeepsCommentRangesWhenAsked) {
  LexOptions opts;
  opts.keep_comments = true;
  Lexed l("a // one\n/* two */ b", opts);
  ASSERT_EQ(l.out.comments.size(), 2u);
  EXPECT_EQ(l.out.comments[0].begin, 2u);
  EXPECT_EQ(l.out.comments[0].end, 8u);
  EXPECT_EQ(l.out.comments[1].begin, 9u);
  EXPECT_EQ(l.out.comments[1].end, 18u);
}

TEST(Lexer, BlockCommentsDoNotNest) {
  Lexed l("/* a /* b */ c */");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::STAR, K::SLASH}));
}

TEST(Lexer, SlashStarSlashDoesNotCloseItself) {
  Lexed l("/*/ x */ y");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT}));
  EXPECT_EQ(l.spelling(0), "y");
}

TEST(Lexer, UnterminatedBlockCommentIsE0001) {
  Lexed l("a /* never closed\nb");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT}));
  EXPECT_EQ(l.codes(), Codes{"E0001"});
  EXPECT_EQ(l.diags.diagnostics()[0].range.begin, 2u);
}

// ------------------------------------------------------------------------ doc comments

TEST(Lexer, DocCommentAttachesToTheNextToken) {
  Lexed l("/// Adds one.\ntask t");
  ASSERT_EQ(l.out.docs.size(), 1u);
  EXPECT_EQ(l.out.docs[0].text, "Adds one.");
  EXPECT_EQ(l.out.docs[0].begin, 0u);
  EXPECT_EQ(l.out.docs[0].end, 13u);
  EXPECT_EQ(l.out.tokens[0].kind, K::TASK);
  EXPECT_EQ(l.out.docs[0].token, 0u);
  EXPECT_EQ(l.out.doc_of(0), 0u);
  EXPECT_EQ(l.out.doc_of(1), LexedFile::kNoDoc);
}

TEST(Lexer, ConsecutiveDocLinesJoin) {
  Lexed l("/// First line.\n///   indented\n///\n/// last\r\nstruct S {}");
  ASSERT_EQ(l.out.docs.size(), 1u);
  // One space after `///` is removed, further ones kept; a CR is dropped.
  EXPECT_EQ(l.out.docs[0].text, "First line.\n  indented\n\nlast");
  EXPECT_EQ(l.out.doc_of(0), 0u);
}

TEST(Lexer, DocWithoutSpaceAfterSlashes) {
  Lexed l("///tight\nx");
  ASSERT_EQ(l.out.docs.size(), 1u);
  EXPECT_EQ(l.out.docs[0].text, "tight");
}

TEST(Lexer, FourSlashesIsNotADocComment) {
  Lexed l("//// banner\nx\n////\ny");
  EXPECT_TRUE(l.out.docs.empty());
  for (size_t i = 0; i < l.out.tokens.size(); ++i) EXPECT_EQ(l.out.doc_of(i), LexedFile::kNoDoc);
}

TEST(Lexer, TwoSlashesIsNotADocComment) {
  Lexed l("// plain\nx");
  EXPECT_TRUE(l.out.docs.empty());
  EXPECT_EQ(l.out.doc_of(0), LexedFile::kNoDoc);
}

TEST(Lexer, SeparateDocCommentsForSeparateTokens) {
  Lexed l("/// one\na\n/// two\nb c");
  ASSERT_EQ(l.out.docs.size(), 2u);
  EXPECT_EQ(l.out.doc_of(0), 0u);
  EXPECT_EQ(l.out.doc_of(1), 1u);
  EXPECT_EQ(l.out.doc_of(2), LexedFile::kNoDoc);
  EXPECT_EQ(l.out.docs[1].text, "two");
}

TEST(Lexer, DocCommentAttachesToAStringToken) {
  Lexed l("/// d\n\"\"\"raw\"\"\" \"s\"");
  ASSERT_EQ(l.out.docs.size(), 1u);
  EXPECT_EQ(l.out.tokens[0].kind, K::RAW_STRING);
  EXPECT_EQ(l.out.doc_of(0), 0u);
  EXPECT_EQ(l.out.doc_of(1), LexedFile::kNoDoc);
}

TEST(Lexer, TrailingDocCommentGoesToEof) {
  Lexed l("x\n/// dangling");
  ASSERT_EQ(l.out.docs.size(), 1u);
  EXPECT_EQ(l.out.tokens.back().kind, K::Eof);
  EXPECT_EQ(l.out.doc_of(l.out.tokens.size() - 1), 0u);
}

// ------------------------------------------------------------------------ malformed literals

// Lexes one literal that must be malformed: one E0002, one malformed token of `kind`
// covering the whole text.
void ExpectMalformed(const std::string& text, K kind) {
  SCOPED_TRACE(text);
  Lexed l(text);
  ASSERT_EQ(l.kinds().size(), 1u) << "lexed as several tokens";
  EXPECT_EQ(l.out.tokens[0].kind, kind);
  EXPECT_TRUE(l.out.tokens[0].malformed);
  EXPECT_EQ(l.out.tokens[0].begin, 0u);
  EXPECT_EQ(l.out.tokens[0].end, text.size());
  ASSERT_EQ(l.codes(), Codes{"E0002"});
}

TEST(Lexer, MalformedNumbers) {
  ExpectMalformed("12x", K::INT);
  ExpectMalformed("4Qi", K::INT);
  ExpectMalformed("1.2.3", K::FLOAT);
  ExpectMalformed("1_", K::INT);
  ExpectMalformed("0x", K::INT);
  ExpectMalformed("0xZZ", K::INT);
  ExpectMalformed("0x10Ki", K::INT);
  ExpectMalformed("1e", K::INT);
  ExpectMalformed("3min", K::INT);
  ExpectMalformed("99999999999999999999", K::INT);
  ExpectMalformed("1e999", K::FLOAT);
  ExpectMalformed("1.5x9", K::FLOAT);
}

TEST(Lexer, MalformedDurationsAndSizes) {
  ExpectMalformed("1e999s", K::DURATION);
  ExpectMalformed("0.3Ki", K::SIZE);
  ExpectMalformed("8388608Ti", K::SIZE);
  ExpectMalformed("1_Mi", K::SIZE);
}

TEST(Lexer, MalformedLiteralMessageQuotesTheLiteral) {
  Lexed l("x = 12x");
  ASSERT_EQ(l.codes(), Codes{"E0002"});
  const Diagnostic& d = l.diags.diagnostics()[0];
  EXPECT_NE(d.message.find("'12x'"), std::string::npos) << d.message;
  EXPECT_EQ(d.range.begin, 4u);
  EXPECT_EQ(d.range.end, 7u);
}

TEST(Lexer, UnterminatedString) {
  Lexed l("\"abc\nx");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::STRING, K::IDENT}));
  EXPECT_TRUE(l.out.tokens[0].malformed);
  EXPECT_EQ(l.spelling(0), "\"abc");
  EXPECT_EQ(l.spelling(1), "x");
  EXPECT_EQ(l.codes(), Codes{"E0002"});
}

TEST(Lexer, UnterminatedStringAtEndOfFile) {
  ExpectMalformed("\"abc", K::STRING);
  ExpectMalformed("\"abc\\", K::STRING);
  ExpectMalformed("\"", K::STRING);
}

TEST(Lexer, BackslashNewlineDoesNotContinueAString) {
  Lexed l("\"abc\\\nx\"");
  ASSERT_GE(l.kinds().size(), 2u);
  EXPECT_EQ(l.out.tokens[0].kind, K::STRING);
  EXPECT_TRUE(l.out.tokens[0].malformed);
  EXPECT_EQ(l.spelling(0), "\"abc\\");
}

TEST(Lexer, UnterminatedRawString) {
  Lexed l("a \"\"\"never\nclosed\n");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::RAW_STRING}));
  EXPECT_TRUE(l.out.tokens[1].malformed);
  EXPECT_EQ(l.out.tokens[1].end, l.sm.text(l.file).size());
  EXPECT_EQ(l.codes(), Codes{"E0002"});
}

TEST(Lexer, BadEscapeIsE0002AtTheEscape) {
  Lexed l("x = \"ab\\qc\"");
  ASSERT_EQ(l.codes(), Codes{"E0002"});
  const Diagnostic& d = l.diags.diagnostics()[0];
  EXPECT_EQ(d.range.begin, 7u);  // the backslash
  EXPECT_EQ(d.range.end, 9u);
  ASSERT_EQ(l.kinds().size(), 3u);
  EXPECT_EQ(l.out.tokens[2].kind, K::STRING);
  EXPECT_TRUE(l.out.tokens[2].malformed);
}

TEST(Lexer, InvalidUtf8InStringIsE0002) {
  Lexed l("\"a\xff\"");
  ASSERT_EQ(l.codes(), Codes{"E0002"});
  EXPECT_EQ(l.diags.diagnostics()[0].range.begin, 2u);
  EXPECT_TRUE(l.out.tokens[0].malformed);
}

TEST(Lexer, LexingContinuesAfterAMalformedLiteral) {
  Lexed l("a = 12x\nb = 4Qi\nc = 1");
  EXPECT_EQ(l.codes(), (Codes{"E0002", "E0002"}));
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::ASSIGN, K::INT, K::IDENT, K::ASSIGN, K::INT,
                                       K::IDENT, K::ASSIGN, K::INT}));
  EXPECT_FALSE(l.out.tokens[8].malformed);
}

// ------------------------------------------------------------------------ unexpected characters

TEST(Lexer, UnexpectedCharactersAreE0001) {
  for (const char* text : {"$", "#", "%", "&", "|", "^", "~", "`", "'", "\\"}) {
    SCOPED_TRACE(text);
    Lexed l(text);
    EXPECT_TRUE(l.kinds().empty());
    ASSERT_EQ(l.codes(), Codes{"E0001"});
    EXPECT_EQ(l.diags.diagnostics()[0].range.begin, 0u);
    EXPECT_EQ(l.diags.diagnostics()[0].range.end, 1u);
  }
}

TEST(Lexer, BangAloneIsE0001) {
  Lexed l("!x != y");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::NE, K::IDENT}));
  ASSERT_EQ(l.codes(), Codes{"E0001"});
  EXPECT_NE(l.diags.diagnostics()[0].message.find("'!'"), std::string::npos);
}

TEST(Lexer, NonAsciiCharacterIsOneE0001) {
  Lexed l("a é b");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::IDENT}));
  ASSERT_EQ(l.codes(), Codes{"E0001"});
  const Diagnostic& d = l.diags.diagnostics()[0];
  EXPECT_EQ(d.range.begin, 2u);
  EXPECT_EQ(d.range.end, 4u);
  EXPECT_NE(d.message.find("U+00E9"), std::string::npos) << d.message;
}

TEST(Lexer, FourByteCharacterIsOneE0001) {
  Lexed l("😀");
  ASSERT_EQ(l.codes(), Codes{"E0001"});
  EXPECT_EQ(l.diags.diagnostics()[0].range.end, 4u);
  EXPECT_NE(l.diags.diagnostics()[0].message.find("U+1F600"), std::string::npos);
}

TEST(Lexer, InvalidUtf8ByteIsE0001) {
  Lexed l(std::string("a\xff\x80 b"));
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::IDENT}));
  EXPECT_EQ(l.codes(), (Codes{"E0001", "E0001"}));
  EXPECT_NE(l.diags.diagnostics()[0].message.find("0xFF"), std::string::npos);
}

TEST(Lexer, TruncatedUtf8SequenceAtEndOfFile) {
  Lexed l(std::string("a\xe2\x86"));
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT}));
  EXPECT_FALSE(l.codes().empty());
  for (const std::string& c : l.codes()) EXPECT_EQ(c, "E0001");
}

TEST(Lexer, ControlCharacterIsE0001) {
  Lexed l(std::string("a\0b", 3));
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::IDENT, K::IDENT}));
  ASSERT_EQ(l.codes(), Codes{"E0001"});
  EXPECT_NE(l.diags.diagnostics()[0].message.find("U+0000"), std::string::npos);
}

TEST(Lexer, WhitespaceKinds) {
  Lexed l("a\tb\r\nc\fd\ve");
  EXPECT_EQ(l.kinds().size(), 5u);
  EXPECT_TRUE(l.codes().empty());
  EXPECT_EQ(l.spelling(2), "c");
}

// ------------------------------------------------------------------------ nesting

TEST(Lexer, TracksNesting) {
  Lexed l("f((([1])))");
  EXPECT_EQ(l.out.max_nesting, 4u);
  EXPECT_FALSE(l.out.too_deep_at.has_value());
}

TEST(Lexer, ReportsTooDeepNesting) {
  std::string deep(kMaxNesting + 1, '(');
  Lexed l("x = " + deep);
  ASSERT_TRUE(l.out.too_deep_at.has_value());
  EXPECT_EQ(*l.out.too_deep_at, 4u + kMaxNesting);
  Lexed ok("x = " + std::string(kMaxNesting, '('));
  EXPECT_FALSE(ok.out.too_deep_at.has_value());
}

TEST(Lexer, ComparisonsDoNotAccumulateNesting) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "let a = b < c\n";
  Lexed l(text);
  EXPECT_FALSE(l.out.too_deep_at.has_value());
  EXPECT_LT(l.out.max_nesting, 5u);
}

TEST(Lexer, LongPrefixRunsCountAsNesting) {
  std::string text = "x = ";
  for (uint32_t i = 0; i <= kMaxNesting; ++i) text += "- ";
  text += "1";
  Lexed l(text);
  EXPECT_TRUE(l.out.too_deep_at.has_value());
}

}  // namespace
}  // namespace flyte
