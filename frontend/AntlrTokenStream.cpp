// The ANTLR token stream over the hand-written lexer's tokens.
#include "frontend/AntlrTokenStream.h"

#include "support/Check.h"

namespace flyte::detail {

AntlrToken::AntlrToken(const flyte::Token& t, size_t index, std::string_view source,
                       antlr4::TokenSource* src)
    : type_(t.kind == TokenKind::Eof ? antlr4::Token::EOF : static_cast<size_t>(t.kind)),
      index_(index),
      line_(t.line),
      begin_(t.begin),
      end_(t.end),
      source_(source),
      token_source_(src) {}

std::string AntlrToken::getText() const {
  if (type_ == antlr4::Token::EOF) return "<EOF>";
  return std::string(source_.substr(begin_, end_ - begin_));
}

std::unique_ptr<antlr4::Token> NullTokenSource::nextToken() {
  FLYTEC_UNREACHABLE("the parser pulls tokens from VectorTokenStream, not its source");
}

antlr4::TokenFactory<antlr4::CommonToken>* NullTokenSource::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

VectorTokenStream::VectorTokenStream(const std::vector<flyte::Token>& tokens, std::string_view source,
                                     std::string name)
    : source_(name), text_(source), name_(std::move(name)) {
  tokens_.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) tokens_.emplace_back(tokens[i], i, source, &source_);
  FLYTEC_CHECK(!tokens_.empty() && tokens_.back().getType() == antlr4::Token::EOF,
               "token vector must end with EOF");
}

antlr4::Token* VectorTokenStream::LT(ssize_t k) {
  if (k == 0) return nullptr;
  ssize_t i = static_cast<ssize_t>(pos_) + (k > 0 ? k - 1 : k);
  if (i < 0) return nullptr;
  size_t last = tokens_.size() - 1;
  return &tokens_[static_cast<size_t>(i) > last ? last : static_cast<size_t>(i)];
}

antlr4::Token* VectorTokenStream::get(size_t index) const {
  FLYTEC_CHECK(index < tokens_.size(), "token index out of range");
  return const_cast<AntlrToken*>(&tokens_[index]);
}

antlr4::TokenSource* VectorTokenStream::getTokenSource() const { return &source_; }

std::string VectorTokenStream::getText(const antlr4::misc::Interval& interval) {
  if (interval.a < 0 || interval.b < interval.a || tokens_.empty()) return "";
  size_t a = static_cast<size_t>(interval.a);
  size_t b = std::min(static_cast<size_t>(interval.b), tokens_.size() - 1);
  if (a > b) return "";
  uint32_t begin = tokens_[a].begin();
  uint32_t end = tokens_[b].end();
  return end > begin ? std::string(text_.substr(begin, end - begin)) : "";
}

std::string VectorTokenStream::getText() { return std::string(text_); }

std::string VectorTokenStream::getText(antlr4::RuleContext* ctx) {
  return getText(ctx->getSourceInterval());
}

std::string VectorTokenStream::getText(antlr4::Token* start, antlr4::Token* stop) {
  if (start == nullptr || stop == nullptr) return "";
  return getText(antlr4::misc::Interval(start->getTokenIndex(), stop->getTokenIndex()));
}

void VectorTokenStream::consume() {
  if (pos_ + 1 < tokens_.size()) {
    ++pos_;
  } else if (tokens_[pos_].getType() != antlr4::Token::EOF) {
    ++pos_;
  } else {
    throw antlr4::IllegalStateException("cannot consume EOF");
  }
}

size_t VectorTokenStream::LA(ssize_t i) {
  antlr4::Token* t = LT(i);
  return t == nullptr ? antlr4::Token::INVALID_TYPE : t->getType();
}

void VectorTokenStream::seek(size_t index) { pos_ = std::min(index, tokens_.size() - 1); }

}  // namespace flyte::detail
