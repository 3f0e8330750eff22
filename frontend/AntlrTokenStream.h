// Feeds the hand-written lexer's tokens to ANTLR's generated parser. The tokens live in
// one contiguous vector; no token is allocated on its own. Private to frontend/.
#pragma once

#include <antlr4-runtime.h>

#include <string_view>
#include <vector>

#include "frontend/Token.h"

namespace flyte::detail {

class VectorTokenStream;

/// An ANTLR view of one lexer `Token`: 24 bytes, everything else is looked up in the
/// stream it belongs to.
class AntlrToken final : public antlr4::WritableToken {
 public:
  AntlrToken(const VectorTokenStream* stream, uint32_t index, uint32_t type)
      : stream_(stream), index_(index), type_(type) {}

  std::string getText() const override;
  size_t getType() const override { return type_ == kEof ? antlr4::Token::EOF : type_; }
  size_t getLine() const override;
  size_t getCharPositionInLine() const override { return 0; }
  size_t getChannel() const override { return antlr4::Token::DEFAULT_CHANNEL; }
  size_t getTokenIndex() const override { return index_; }
  size_t getStartIndex() const override;
  size_t getStopIndex() const override;
  antlr4::TokenSource* getTokenSource() const override;
  antlr4::CharStream* getInputStream() const override { return nullptr; }
  std::string toString() const override { return getText(); }

  void setText(const std::string&) override {}
  void setType(size_t ttype) override {
    type_ = ttype == antlr4::Token::EOF ? kEof : static_cast<uint32_t>(ttype);
  }
  /// Token::EOF (size_t(-1)) as stored in 32 bits.
  static constexpr uint32_t kEof = UINT32_MAX;
  void setLine(size_t) override {}
  void setCharPositionInLine(size_t) override {}
  void setChannel(size_t) override {}
  void setTokenIndex(size_t) override {}

 private:
  const VectorTokenStream* stream_;
  uint32_t index_;
  uint32_t type_;
};

/// A token source that is never pulled from: it exists because ANTLR's error recovery
/// asks the token stream's source for a factory to make "missing" tokens with.
class NullTokenSource final : public antlr4::TokenSource {
 public:
  explicit NullTokenSource(std::string name) : name_(std::move(name)) {}
  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return 0; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return name_; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override;

 private:
  std::string name_;
};

/// A random-access token stream over pre-lexed tokens, ending with EOF. ANTLR tokens
/// are made in chunks on first use, and chunks the parser is done with can be released,
/// so a large file never holds two full copies of its tokens.
class VectorTokenStream final : public antlr4::TokenStream {
 public:
  VectorTokenStream(const std::vector<flyte::Token>& tokens, std::string_view source,
                    std::string name);

  antlr4::Token* LT(ssize_t k) override;
  antlr4::Token* get(size_t index) const override;
  antlr4::TokenSource* getTokenSource() const override;
  std::string getText(const antlr4::misc::Interval& interval) override;
  std::string getText() override;
  std::string getText(antlr4::RuleContext* ctx) override;
  std::string getText(antlr4::Token* start, antlr4::Token* stop) override;

  void consume() override;
  size_t LA(ssize_t i) override;
  ssize_t mark() override { return 0; }
  void release(ssize_t) override {}
  size_t index() override { return pos_; }
  void seek(size_t index) override;
  size_t size() override { return tokens_.size(); }
  std::string getSourceName() const override { return name_; }

  const flyte::Token& lexed(size_t i) const { return tokens_[i]; }
  std::string_view text() const { return text_; }
  /// The 1-based line of byte `offset`, from a table of line starts made on first use:
  /// lines are asked for only to report syntax errors.
  size_t line_of(uint32_t offset) const;
  /// Frees the ANTLR tokens before `index`; nothing may refer to them any more.
  void release_before(size_t index);

 private:
  static constexpr size_t kChunk = 2048;
  AntlrToken* at(size_t i) const {
    AntlrToken* chunk = chunk_ptrs_[i / kChunk];
    return chunk != nullptr ? chunk + i % kChunk : materialize(i);
  }
  AntlrToken* materialize(size_t i) const;

  mutable NullTokenSource source_;
  const std::vector<flyte::Token>& tokens_;
  mutable std::vector<std::unique_ptr<std::vector<AntlrToken>>> chunks_;
  mutable std::vector<AntlrToken*> chunk_ptrs_;  // chunks_[c]->data(), or null
  std::string_view text_;
  mutable std::vector<uint32_t> line_starts_;
  std::string name_;
  size_t pos_ = 0;
  size_t released_ = 0;  // chunks before this one have been released
};

}  // namespace flyte::detail
