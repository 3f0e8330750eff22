// C++ string literals (support/CppString.h): the escapes at the edges of the control
// characters, quotes and backslashes, and reading each escape back.
#include <gtest/gtest.h>

#include <string>

#include "support/CppString.h"

namespace flyte {
namespace {

// Reads a literal as cpp_string_literal writes it back to its bytes.
std::string unquote(const std::string& literal) {
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    if (literal[i] != '\\') {
      out += literal[i];
      continue;
    }
    size_t length = 0;
    out += read_cpp_escape(literal, i + 1, length);
    i += length;
  }
  return out;
}

TEST(CppString, EmptyString) { EXPECT_EQ(cpp_string_literal(""), "\"\""); }

TEST(CppString, QuoteAndBackslash) {
  EXPECT_EQ(cpp_string_literal("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(cpp_string_literal("a\\b"), R"("a\\b")");
  EXPECT_EQ(cpp_string_literal("\\\""), R"("\\\"")");
}

TEST(CppString, NamedEscapes) { EXPECT_EQ(cpp_string_literal("a\nb\tc\rd"), R"("a\nb\tc\rd")"); }

TEST(CppString, ControlCharactersAsThreeOctalDigits) {
  EXPECT_EQ(cpp_string_literal(std::string(1, '\0')), R"("\000")");
  EXPECT_EQ(cpp_string_literal("\x01"), R"("\001")");
  EXPECT_EQ(cpp_string_literal("\x1f"), R"("\037")");
  // A digit after the escape stays a character of its own.
  EXPECT_EQ(cpp_string_literal("\x1f"
                               "7"),
            R"("\0377")");
  EXPECT_EQ(cpp_string_literal("\x7f"), R"("\177")");
}

TEST(CppString, PrintableAndUtf8BytesKept) {
  EXPECT_EQ(cpp_string_literal(" "), "\" \"");  // 0x20
  EXPECT_EQ(cpp_string_literal("~"), "\"~\"");  // 0x7e
  EXPECT_EQ(cpp_string_literal("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(cpp_string_literal("\x80\xff"), "\"\x80\xff\"");
}

TEST(CppString, ReadsItsEscapesBack) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  all +=
      "\x1f"
      "7\"\\";
  EXPECT_EQ(unquote(cpp_string_literal(all)), all);
  EXPECT_EQ(unquote(cpp_string_literal("")), "");
}

TEST(CppString, ReadsShortOctalEscapes) {
  size_t length = 0;
  EXPECT_EQ(read_cpp_escape("0", 0, length), '\0');
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(read_cpp_escape("18", 0, length), '\001');
  EXPECT_EQ(length, 1u);
  EXPECT_EQ(read_cpp_escape("q", 0, length), 'q');
  EXPECT_EQ(length, 1u);
}

}  // namespace
}  // namespace flyte
