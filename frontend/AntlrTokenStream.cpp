// The ANTLR token stream over the hand-written lexer's tokens.
#include "frontend/AntlrTokenStream.h"

#include <algorithm>
#include <cstring>

#include "support/Check.h"

namespace flyte::detail {

std::string AntlrToken::getText() const {
  if (type_ == kEof) return "<EOF>";
  const flyte::Token& t = stream_->lexed(index_);
  return std::string(stream_->text().substr(t.begin, t.end - t.begin));
}

size_t AntlrToken::getLine() const { return stream_->line_of(stream_->lexed(index_).begin); }
size_t AntlrToken::getStartIndex() const { return stream_->lexed(index_).begin; }
size_t AntlrToken::getStopIndex() const { return stream_->lexed(index_).end - 1; }
antlr4::TokenSource* AntlrToken::getTokenSource() const { return stream_->getTokenSource(); }

std::unique_ptr<antlr4::Token> NullTokenSource::nextToken() {
  FLYTEC_UNREACHABLE("the parser pulls tokens from VectorTokenStream, not its source");
}

antlr4::TokenFactory<antlr4::CommonToken>* NullTokenSource::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

VectorTokenStream::VectorTokenStream(const std::vector<flyte::Token>& tokens,
                                     std::string_view source, std::string name)
    : source_(name), tokens_(tokens), text_(source), name_(std::move(name)) {
  FLYTEC_CHECK(!tokens_.empty() && tokens_.back().kind == TokenKind::Eof,
               "token vector must end with EOF");
  FLYTEC_CHECK(tokens_.size() < UINT32_MAX, "too many tokens");
  chunks_.resize((tokens_.size() + kChunk - 1) / kChunk);
  chunk_ptrs_.resize(chunks_.size(), nullptr);
}

AntlrToken* VectorTokenStream::materialize(size_t i) const {
  auto& chunk = chunks_[i / kChunk];
  {
    chunk = std::make_unique<std::vector<AntlrToken>>();
    size_t first = i / kChunk * kChunk;
    size_t last = std::min(first + kChunk, tokens_.size());
    chunk->reserve(last - first);
    for (size_t k = first; k < last; ++k) {
      TokenKind kind = tokens_[k].kind;
      chunk->emplace_back(this, static_cast<uint32_t>(k),
                          kind == TokenKind::Eof ? AntlrToken::kEof : static_cast<uint32_t>(kind));
    }
  }
  chunk_ptrs_[i / kChunk] = chunk->data();
  return chunk->data() + i % kChunk;
}

size_t VectorTokenStream::line_of(uint32_t offset) const {
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    for (const char* p = text_.data();
         const void* nl =
             std::memchr(p, '\n', static_cast<size_t>(text_.data() + text_.size() - p));) {
      p = static_cast<const char*>(nl) + 1;
      line_starts_.push_back(static_cast<uint32_t>(p - text_.data()));
    }
  }
  return static_cast<size_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                             line_starts_.begin());
}

void VectorTokenStream::release_before(size_t index) {
  // Chunks are released in order, so each is visited once over the whole parse.
  for (; released_ < index / kChunk && released_ < chunks_.size(); ++released_) {
    chunks_[released_].reset();
    chunk_ptrs_[released_] = nullptr;
  }
}

antlr4::Token* VectorTokenStream::LT(ssize_t k) {
  if (k == 0) return nullptr;
  ssize_t i = static_cast<ssize_t>(pos_) + (k > 0 ? k - 1 : k);
  if (i < 0) return nullptr;
  size_t last = tokens_.size() - 1;
  return at(static_cast<size_t>(i) > last ? last : static_cast<size_t>(i));
}

antlr4::Token* VectorTokenStream::get(size_t index) const {
  FLYTEC_CHECK(index < tokens_.size(), "token index out of range");
  return at(index);
}

antlr4::TokenSource* VectorTokenStream::getTokenSource() const { return &source_; }

std::string VectorTokenStream::getText(const antlr4::misc::Interval& interval) {
  if (interval.a < 0 || interval.b < interval.a || tokens_.empty()) return "";
  size_t a = static_cast<size_t>(interval.a);
  size_t b = std::min(static_cast<size_t>(interval.b), tokens_.size() - 1);
  if (a > b) return "";
  uint32_t begin = tokens_[a].begin;
  uint32_t end = tokens_[b].end;
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
  // The vector ends with EOF, and ANTLR's contract is that EOF is never consumed.
  if (tokens_[pos_].kind == TokenKind::Eof) {
    throw antlr4::IllegalStateException("cannot consume EOF");
  }
  ++pos_;
}

size_t VectorTokenStream::LA(ssize_t i) {
  // Answered from the lexer's tokens: no ANTLR token needs to exist for a look-ahead.
  if (i == 0) return antlr4::Token::INVALID_TYPE;
  ssize_t at = static_cast<ssize_t>(pos_) + (i > 0 ? i - 1 : i);
  if (at < 0) return antlr4::Token::INVALID_TYPE;
  size_t idx = std::min(static_cast<size_t>(at), tokens_.size() - 1);
  TokenKind kind = tokens_[idx].kind;
  return kind == TokenKind::Eof ? antlr4::Token::EOF : static_cast<size_t>(kind);
}

void VectorTokenStream::seek(size_t index) {
  // A seek backwards (the LL re-parse) may need released chunks again; they are remade
  // on demand, and releasing starts over.
  if (index / kChunk < released_) released_ = index / kChunk;
  pos_ = std::min(index, tokens_.size() - 1);
}

}  // namespace flyte::detail
