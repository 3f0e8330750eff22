// Decoding of literal text into values: integers, floats, durations, sizes and strings.
// The lexer uses these to report malformed literals (E0002); the AST builder uses them
// to compute values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flyte {

/// Why a literal is malformed, and where (a byte offset into the literal's text).
struct LiteralError {
  std::string message;
  uint32_t offset = 0;
};

/// `42`, `1_000_000`, `0x2A`. Overflow past int64 is an error.
std::optional<int64_t> decode_int(std::string_view text, LiteralError& err);
/// `0.5`, `1e-3`, `2.5E+4`, `1_000.5`.
std::optional<double> decode_float(std::string_view text, LiteralError& err);
/// `30s`, `1.5h`, `500ms`: seconds.
std::optional<double> decode_duration(std::string_view text, LiteralError& err);
/// `512Mi`, `2G`, `1.5Gi`: bytes. A size must come to a whole number of bytes.
std::optional<int64_t> decode_size(std::string_view text, LiteralError& err);
/// A quoted string with escapes `\n \t \\ \" \{ \}`; `text` includes the quotes.
std::optional<std::string> decode_string(std::string_view text, LiteralError& err);
/// A `"""…"""` raw string (quotes included): no escapes; a first line holding only
/// whitespace is dropped, and so is a last line holding only whitespace; then the
/// common leading indentation is removed as by Python's `textwrap.dedent`.
std::string decode_raw_string(std::string_view text);

/// Units that may follow a number: durations and sizes.
bool is_duration_unit(std::string_view unit);
bool is_size_unit(std::string_view unit);

}  // namespace flyte
