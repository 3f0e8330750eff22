// A hand-written lexer for .flyte: one pass over the bytes, no backtracking beyond a
// literal's suffix. It is several times faster than ANTLR's generated lexer and gives
// precise messages for malformed literals.
#include "frontend/Lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <string_view>
#include <vector>

#include "frontend/Literals.h"

namespace flyte {
namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

TokenKind keyword(std::string_view s) {
  switch (s.size()) {
    case 2:
      if (s == "as") return TokenKind::AS;
      if (s == "if") return TokenKind::IF;
      if (s == "in") return TokenKind::IN;
      if (s == "or") return TokenKind::OR;
      break;
    case 3:
      if (s == "let") return TokenKind::LET;
      if (s == "for") return TokenKind::FOR;
      if (s == "and") return TokenKind::AND;
      if (s == "not") return TokenKind::NOT;
      break;
    case 4:
      if (s == "task") return TokenKind::TASK;
      if (s == "type") return TokenKind::TYPE;
      if (s == "enum") return TokenKind::ENUM;
      if (s == "else") return TokenKind::ELSE;
      if (s == "true") return TokenKind::TRUE;
      if (s == "none") return TokenKind::NONE;
      if (s == "fail") return TokenKind::FAIL;
      break;
    case 5:
      if (s == "false") return TokenKind::FALSE;
      break;
    case 6:
      if (s == "module") return TokenKind::MODULE;
      if (s == "import") return TokenKind::IMPORT;
      if (s == "struct") return TokenKind::STRUCT;
      if (s == "launch") return TokenKind::LAUNCH;
      if (s == "return") return TokenKind::RETURN;
      break;
    case 8:
      if (s == "workflow") return TokenKind::WORKFLOW;
      break;
    default: break;
  }
  return TokenKind::IDENT;
}

class LexerImpl {
 public:
  LexerImpl(const SourceManager& sm, FileId file, DiagnosticEngine& diags, const LexOptions& opts)
      : file_(file), text_(sm.text(file)), diags_(diags), opts_(opts) {}

  LexedFile run() {
    // Pages of the reservation that are never written cost nothing; one token per two
    // bytes is more than any real file has.
    out_.tokens.reserve(std::min<size_t>(text_.size() / 2, kMaxTokens) + 16);
    size_t n = text_.size();
    while (true) {
      skip_trivia();
      if (pos_ >= n) break;
      if (out_.tokens.size() >= kMaxTokens) {
        diags_.report(DiagCode::E0001, range(pos_, pos_ + 1),
                      fmt::format("too many tokens: a file may hold at most {} (split it into "
                                  "modules)",
                                  kMaxTokens));
        out_.truncated = true;
        break;
      }
      if (diags_.limit_reached()) {
        out_.truncated = true;
        break;
      }
      lex_token();
    }
    push(TokenKind::Eof, static_cast<uint32_t>(n), static_cast<uint32_t>(n));
    return std::move(out_);
  }

 private:
  SourceRange range(size_t b, size_t e) const {
    return {file_, static_cast<uint32_t>(b), static_cast<uint32_t>(e)};
  }

  void push(TokenKind kind, uint32_t b, uint32_t e, bool malformed = false) {
    attach_doc();
    out_.tokens.push_back(Token{kind, malformed, b, e});
    track_nesting(kind);
  }

  // A pending doc comment documents the token about to be pushed.
  void attach_doc() {
    if (pending_doc_ == LexedFile::kNoDoc) return;
    out_.docs[pending_doc_].token = static_cast<uint32_t>(out_.tokens.size());
    pending_doc_ = LexedFile::kNoDoc;
  }

  // Nesting is the bracket depth plus the length of the current run of prefix
  // operators; both make the parser recurse. '<' opens a level only until a token that
  // cannot stand inside type arguments, so that comparisons do not accumulate.
  void track_nesting(TokenKind kind) {
    auto pop_angles = [&] {
      while (!open_.empty() && open_.back() == TokenKind::LT) open_.pop_back();
    };
    switch (kind) {
      case TokenKind::LPAREN:
      case TokenKind::LBRACK:
      case TokenKind::LT: open_.push_back(kind); break;
      case TokenKind::LBRACE:
      case TokenKind::DOT_LBRACE:
        pop_angles();
        open_.push_back(TokenKind::LBRACE);
        break;
      case TokenKind::GT:
        if (!open_.empty() && open_.back() == TokenKind::LT) open_.pop_back();
        break;
      case TokenKind::RPAREN:
      case TokenKind::RBRACE:
      case TokenKind::RBRACK:
        pop_angles();
        if (!open_.empty()) open_.pop_back();
        break;
      case TokenKind::LET:
      case TokenKind::RETURN:
      case TokenKind::SEMI:
      case TokenKind::ASSIGN:
      case TokenKind::AND:
      case TokenKind::OR:
      case TokenKind::NOT: pop_angles(); break;
      default: break;
    }
    if (kind == TokenKind::MINUS || kind == TokenKind::NOT || kind == TokenKind::IF ||
        kind == TokenKind::FOR || kind == TokenKind::ELSE) {
      ++prefix_run_;
    } else if (kind != TokenKind::LPAREN && kind != TokenKind::LBRACK) {
      prefix_run_ = 0;
    }
    auto nesting = static_cast<uint32_t>(open_.size()) + prefix_run_;
    if (nesting > out_.max_nesting) out_.max_nesting = nesting;
    if (nesting > kMaxNesting && !out_.too_deep_at) out_.too_deep_at = out_.tokens.back().begin;
  }

  void skip_trivia() {
    size_t n = text_.size();
    while (pos_ < n) {
      char c = text_[pos_];
      if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < n && text_[pos_ + 1] == '/') {
        line_comment();
      } else if (c == '/' && pos_ + 1 < n && text_[pos_ + 1] == '*') {
        block_comment();
      } else {
        return;
      }
    }
  }

  void line_comment() {
    size_t start = pos_;
    const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
    size_t end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
    std::string_view body = text_.substr(start, end - start);
    bool doc = body.size() >= 3 && body[2] == '/' && !(body.size() >= 4 && body[3] == '/');
    if (doc) {
      std::string_view line = body.substr(3);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (pending_doc_ == LexedFile::kNoDoc) {
        pending_doc_ = static_cast<uint32_t>(out_.docs.size());
        out_.docs.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), ""});
      } else {
        out_.docs[pending_doc_].text += '\n';
        out_.docs[pending_doc_].end = static_cast<uint32_t>(end);
      }
      out_.docs[pending_doc_].text += line;
    } else if (opts_.keep_comments) {
      out_.comments.push_back(range(start, end));
    }
    pos_ = end;
  }

  void block_comment() {
    size_t start = pos_;
    size_t close = text_.find("*/", pos_ + 2);
    size_t end = close == std::string_view::npos ? text_.size() : close + 2;
    if (close == std::string_view::npos) {
      diags_.report(DiagCode::E0001, range(start, start + 2), "unterminated block comment")
          .notes.push_back({"a block comment ends with '*/'", std::nullopt});
    } else if (opts_.keep_comments) {
      out_.comments.push_back(range(start, end));
    }
    pos_ = end;
  }

  void lex_token() {
    auto c = static_cast<unsigned char>(text_[pos_]);
    size_t start = pos_;
    if (is_ident_start(c)) {
      while (pos_ < text_.size() && is_ident_char(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      push(keyword(text_.substr(start, pos_ - start)), static_cast<uint32_t>(start),
           static_cast<uint32_t>(pos_));
      return;
    }
    if (is_digit(c)) return number();
    if (c == '"') return string();
    ++pos_;
    auto two = [&](char next, TokenKind yes, TokenKind no) {
      if (pos_ < text_.size() && text_[pos_] == next) {
        ++pos_;
        push(yes, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_));
      } else {
        push(no, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_));
      }
    };
    auto one = [&](TokenKind k) {
      push(k, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_));
    };
    switch (c) {
      case '(': return one(TokenKind::LPAREN);
      case ')': return one(TokenKind::RPAREN);
      case '{': return one(TokenKind::LBRACE);
      case '}': return one(TokenKind::RBRACE);
      case '[': return one(TokenKind::LBRACK);
      case ']': return one(TokenKind::RBRACK);
      case ',': return one(TokenKind::COMMA);
      case ';': return one(TokenKind::SEMI);
      case ':': return one(TokenKind::COLON);
      case '.': return two('{', TokenKind::DOT_LBRACE, TokenKind::DOT);
      case '@': return one(TokenKind::AT);
      case '?': return one(TokenKind::QUESTION);
      case '+': return one(TokenKind::PLUS);
      case '*': return one(TokenKind::STAR);
      case '/': return one(TokenKind::SLASH);
      case '<': return two('=', TokenKind::LE, TokenKind::LT);
      case '>': return two('=', TokenKind::GE, TokenKind::GT);
      case '=': return two('=', TokenKind::EQ, TokenKind::ASSIGN);
      case '-': return two('>', TokenKind::ARROW, TokenKind::MINUS);
      case '!':
        if (pos_ < text_.size() && text_[pos_] == '=') {
          ++pos_;
          return one(TokenKind::NE);
        }
        diags_.report(DiagCode::E0001, range(start, pos_), "unexpected character '!'")
            .notes.push_back({"negation is written 'not'", std::nullopt});
        return;
      default: break;
    }
    unexpected_character(start);
  }

  void unexpected_character(size_t start) {
    auto c = static_cast<unsigned char>(text_[start]);
    std::string what;
    if (c >= 0x20 && c < 0x7F) {
      what = fmt::format("'{}'", static_cast<char>(c));
    } else if (c < 0x80) {
      what = fmt::format("U+{:04X}", c);
    } else {
      // Decode one UTF-8 sequence so that the message names the character.
      size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
      uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      bool ok = len > 1 && start + len <= text_.size();
      for (size_t k = 1; ok && k < len; ++k) {
        auto cc = static_cast<unsigned char>(text_[start + k]);
        if ((cc & 0xC0) != 0x80) ok = false;
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (ok) {
        pos_ = start + len;
        what = fmt::format("U+{:04X}", cp);
      } else {
        what = fmt::format("byte 0x{:02X} (not valid UTF-8)", c);
      }
    }
    if (pos_ <= start) pos_ = start + 1;
    diags_.report(DiagCode::E0001, range(start, pos_), "unexpected character " + what);
  }

  // A number: digits with '_' separators, a hex form, a fraction and an exponent, then
  // an optional unit. Whatever letters and digits follow are taken into the literal, so
  // that `12x` and `4Qi` are one malformed literal rather than a number and a name.
  void number() {
    size_t start = pos_;
    size_t n = text_.size();
    auto digits = [&] {
      while (pos_ < n && (is_digit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
        ++pos_;
    };
    bool hex =
        text_[pos_] == '0' && pos_ + 1 < n && (text_[pos_ + 1] == 'x' || text_[pos_ + 1] == 'X');
    bool is_float = false;
    bool extra_dot = false;
    if (hex) {
      pos_ += 2;
      while (pos_ < n &&
             (std::isxdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
        ++pos_;
    } else {
      digits();
      if (pos_ + 1 < n && text_[pos_] == '.' &&
          is_digit(static_cast<unsigned char>(text_[pos_ + 1]))) {
        is_float = true;
        ++pos_;
        digits();
        // `1.2.3`: take the rest in, it is one malformed literal.
        while (pos_ + 1 < n && text_[pos_] == '.' &&
               is_digit(static_cast<unsigned char>(text_[pos_ + 1]))) {
          extra_dot = true;
          ++pos_;
          digits();
        }
      }
      if (pos_ < n && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        size_t p = pos_ + 1;
        if (p < n && (text_[p] == '+' || text_[p] == '-')) ++p;
        if (p < n && is_digit(static_cast<unsigned char>(text_[p]))) {
          is_float = true;
          pos_ = p;
          digits();
        }
      }
    }
    size_t num_end = pos_;
    while (pos_ < n && is_ident_char(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    std::string_view num = text_.substr(start, num_end - start);
    std::string_view unit = text_.substr(num_end, pos_ - num_end);
    std::string_view all = text_.substr(start, pos_ - start);

    TokenKind kind = TokenKind::INT;
    LiteralError err;
    bool ok = true;
    if (extra_dot) {
      err = {"a number has at most one decimal point", 0};
      ok = false;
      kind = TokenKind::FLOAT;
    } else if (unit.empty()) {
      kind = is_float ? TokenKind::FLOAT : TokenKind::INT;
      ok = is_float ? decode_float(num, err).has_value() : decode_int(num, err).has_value();
    } else if (!hex && is_duration_unit(unit)) {
      kind = TokenKind::DURATION;
      ok = decode_duration(all, err).has_value();
    } else if (!hex && is_size_unit(unit)) {
      kind = TokenKind::SIZE;
      ok = decode_size(all, err).has_value();
    } else {
      kind = is_float ? TokenKind::FLOAT : TokenKind::INT;
      ok = false;
      err = {hex ? fmt::format("invalid suffix '{}' on hexadecimal literal", unit)
                 : fmt::format("invalid suffix '{}' on number (durations take ms, s, m, h, d; "
                               "sizes take Ki, Mi, Gi, Ti, K, M, G, T)",
                               unit),
             static_cast<uint32_t>(num.size())};
    }
    if (!ok) {
      diags_.report(DiagCode::E0002, range(start, pos_),
                    fmt::format("malformed literal '{}': {}", all, err.message));
    }
    push(kind, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_), !ok);
  }

  void string() {
    size_t start = pos_;
    size_t n = text_.size();
    if (pos_ + 2 < n && text_[pos_ + 1] == '"' && text_[pos_ + 2] == '"') {
      size_t close = text_.find("\"\"\"", pos_ + 3);
      if (close == std::string_view::npos) {
        pos_ = n;
        diags_.report(DiagCode::E0002, range(start, start + 3), "unterminated raw string literal")
            .notes.push_back({"a raw string ends with '\"\"\"'", std::nullopt});
        push(TokenKind::RAW_STRING, static_cast<uint32_t>(start), static_cast<uint32_t>(n), true);
        return;
      }
      // A NUL byte would end the command at run time (C strings): the rest would be
      // silently dropped.
      const void* nul = std::memchr(text_.data() + start + 3, '\0', close - start - 3);
      bool malformed = nul != nullptr;
      if (malformed) {
        size_t at = static_cast<size_t>(static_cast<const char*>(nul) - text_.data());
        diags_.report(DiagCode::E0002, range(at, at + 1),
                      "malformed string literal: a NUL byte in a string");
      }
      pos_ = close + 3;
      push(TokenKind::RAW_STRING, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_),
           malformed);
      return;
    }
    ++pos_;
    while (pos_ < n && text_[pos_] != '"' && text_[pos_] != '\n') {
      if (text_[pos_] == '\\' && pos_ + 1 < n && text_[pos_ + 1] != '\n') ++pos_;
      ++pos_;
    }
    if (pos_ >= n || text_[pos_] != '"') {
      diags_.report(DiagCode::E0002, range(start, pos_), "unterminated string literal")
          .notes.push_back({"a string ends with '\"' on the same line; use \"\"\"…\"\"\" for "
                            "several lines",
                            std::nullopt});
      push(TokenKind::STRING, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_), true);
      return;
    }
    ++pos_;
    LiteralError err;
    bool ok = decode_string(text_.substr(start, pos_ - start), err).has_value();
    if (!ok) {
      size_t at = start + err.offset;
      diags_.report(DiagCode::E0002, range(at, std::min(at + 2, pos_)),
                    "malformed string literal: " + err.message);
    }
    push(TokenKind::STRING, static_cast<uint32_t>(start), static_cast<uint32_t>(pos_), !ok);
  }

  FileId file_;
  std::string_view text_;
  DiagnosticEngine& diags_;
  const LexOptions& opts_;
  LexedFile out_;
  size_t pos_ = 0;
  uint32_t pending_doc_ = LexedFile::kNoDoc;
  std::vector<TokenKind> open_;
  uint32_t prefix_run_ = 0;
};

}  // namespace

// What each kind is called in messages, indexed by its number; Invalid is "a token".
constexpr std::string_view kTokenSpellings[] = {
    "a token",
#define TOKEN(name, spelling) spelling,
#include "frontend/TokenKinds.def"
};
static_assert(std::size(kTokenSpellings) == static_cast<size_t>(TokenKind::Count));

std::string_view token_spelling(TokenKind kind) {
  if (kind == TokenKind::Eof) return "end of file";
  auto i = static_cast<size_t>(kind);
  return i < std::size(kTokenSpellings) ? kTokenSpellings[i] : "a token";
}

uint32_t LexedFile::doc_of(size_t i) const {
  auto it = std::lower_bound(docs.begin(), docs.end(), i,
                             [](const DocComment& d, size_t t) { return d.token < t; });
  return it != docs.end() && it->token == i ? static_cast<uint32_t>(it - docs.begin()) : kNoDoc;
}

LexedFile lex(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
              const LexOptions& options) {
  return LexerImpl(sm, file, diags, options).run();
}

}  // namespace flyte
