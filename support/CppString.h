// C++ string literals: the one quoting function of the IR's text form and of the C++ glue
// that the local backend generates, and the reading of its escapes back.
#pragma once

#include <string>
#include <string_view>

namespace flyte {

/// `s` as a C++ string literal: double quotes; `"` and `\` escaped with a backslash;
/// newline, tab and carriage return as `\n`, `\t`, `\r`; every other byte below 0x20, and
/// 0x7f, as a three-digit octal escape (`\037`), which a following digit cannot extend.
/// Bytes from 0x80 (UTF-8) are kept as they are.
std::string cpp_string_literal(std::string_view s);

/// The byte that the escape starting at `s[pos]`, just after a backslash, stands for, as
/// `cpp_string_literal` writes it: `n`, `t` and `r`, one to three octal digits, or any
/// other character for itself. Sets `length` to the characters it took (at least 1);
/// `pos` must be inside `s`.
char read_cpp_escape(std::string_view s, size_t pos, size_t& length);

}  // namespace flyte
