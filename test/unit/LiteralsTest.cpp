// Literal decoding: integers, floats, durations, sizes, escapes, raw-string dedent.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "frontend/Literals.h"

namespace flyte {
namespace {

// Decodes `text` with `decode`, expecting failure; returns the error.
template <typename Decode>
LiteralError ErrorOf(Decode decode, std::string_view text) {
  LiteralError err;
  auto v = decode(text, err);
  EXPECT_FALSE(v.has_value()) << "'" << text << "' decoded, but should be an error";
  EXPECT_FALSE(err.message.empty()) << "'" << text << "' has no error message";
  return err;
}

// ------------------------------------------------------------------------ integers

TEST(Literals, Ints) {
  LiteralError err;
  EXPECT_EQ(decode_int("0", err), 0);
  EXPECT_EQ(decode_int("42", err), 42);
  EXPECT_EQ(decode_int("007", err), 7);
  EXPECT_EQ(decode_int("1_000_000", err), 1000000);
  EXPECT_EQ(decode_int("1_0", err), 10);
}

TEST(Literals, HexInts) {
  LiteralError err;
  EXPECT_EQ(decode_int("0x2A", err), 42);
  EXPECT_EQ(decode_int("0x2a", err), 42);
  EXPECT_EQ(decode_int("0X2a", err), 42);
  EXPECT_EQ(decode_int("0xFF_FF", err), 0xFFFF);
  EXPECT_EQ(decode_int("0x0", err), 0);
}

TEST(Literals, IntLimits) {
  LiteralError err;
  EXPECT_EQ(decode_int("9223372036854775807", err), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(decode_int("9_223_372_036_854_775_807", err), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(decode_int("0x7FFFFFFFFFFFFFFF", err), std::numeric_limits<int64_t>::max());
}

TEST(Literals, IntOverflow) {
  EXPECT_NE(ErrorOf(decode_int, "9223372036854775808").message.find("too large"),
            std::string::npos);
  EXPECT_NE(ErrorOf(decode_int, "99999999999999999999999").message.find("too large"),
            std::string::npos);
  EXPECT_NE(ErrorOf(decode_int, "0x8000000000000000").message.find("too large"), std::string::npos);
  EXPECT_NE(ErrorOf(decode_int, "0x1_0000_0000_0000_0000").message.find("too large"),
            std::string::npos);
}

TEST(Literals, IntSeparatorsMustStandBetweenDigits) {
  LiteralError e = ErrorOf(decode_int, "1_");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_NE(e.message.find("'_'"), std::string::npos);
  e = ErrorOf(decode_int, "10__");
  EXPECT_NE(e.message.find("'_'"), std::string::npos);
  // In a hex literal the offset counts the `0x`.
  e = ErrorOf(decode_int, "0x1_");
  EXPECT_EQ(e.offset, 3u);
  e = ErrorOf(decode_int, "0x_1");
  EXPECT_EQ(e.offset, 2u);
}

TEST(Literals, HexWithoutDigits) {
  LiteralError e = ErrorOf(decode_int, "0x");
  EXPECT_NE(e.message.find("0x"), std::string::npos);
  ErrorOf(decode_int, "0X");
}

TEST(Literals, IntRejectsOtherCharacters) {
  ErrorOf(decode_int, "12a");
  ErrorOf(decode_int, "0xG");
  ErrorOf(decode_int, "");
}

// ------------------------------------------------------------------------ floats

TEST(Literals, Floats) {
  LiteralError err;
  EXPECT_EQ(decode_float("0.5", err), 0.5);
  EXPECT_EQ(decode_float("1.0", err), 1.0);
  EXPECT_EQ(decode_float("1_000.5", err), 1000.5);
  EXPECT_EQ(decode_float("3.141_592", err), 3.141592);
}

TEST(Literals, FloatExponents) {
  LiteralError err;
  EXPECT_EQ(decode_float("1e-3", err), 1e-3);
  EXPECT_EQ(decode_float("1E3", err), 1000.0);
  EXPECT_EQ(decode_float("1e+3", err), 1000.0);
  EXPECT_EQ(decode_float("2.5E+4", err), 25000.0);
  EXPECT_EQ(decode_float("2.5e-1", err), 0.25);
  EXPECT_EQ(decode_float("1e308", err), 1e308);
  EXPECT_EQ(decode_float("1_0e1_0", err), 10e10);
}

TEST(Literals, FloatOutOfRange) {
  LiteralError e = ErrorOf(decode_float, "1e309");
  EXPECT_NE(e.message.find("out of range"), std::string::npos);
  ErrorOf(decode_float, "2.5e99999");
  ErrorOf(decode_float, "1" + std::string(400, '0') + ".0");
}

TEST(Literals, FloatSeparators) {
  LiteralError e = ErrorOf(decode_float, "1_.5");
  EXPECT_EQ(e.offset, 1u);
  e = ErrorOf(decode_float, "1._5");
  EXPECT_EQ(e.offset, 2u);
  ErrorOf(decode_float, "1.5_");
}

TEST(Literals, FloatRejectsTrailingText) {
  ErrorOf(decode_float, "1.5x");
  ErrorOf(decode_float, "");
}

// ------------------------------------------------------------------------ durations

TEST(Literals, Durations) {
  LiteralError err;
  EXPECT_EQ(decode_duration("90s", err), 90.0);
  EXPECT_EQ(decode_duration("500ms", err), 0.5);
  EXPECT_EQ(decode_duration("10m", err), 600.0);
  EXPECT_EQ(decode_duration("2h", err), 7200.0);
  EXPECT_EQ(decode_duration("1.5h", err), 5400.0);
  EXPECT_EQ(decode_duration("1d", err), 86400.0);
  EXPECT_EQ(decode_duration("0.5d", err), 43200.0);
  EXPECT_EQ(decode_duration("0s", err), 0.0);
  EXPECT_EQ(decode_duration("1_000ms", err), 1.0);
  EXPECT_EQ(decode_duration("2.5s", err), 2.5);
}

// A duration is the number of seconds nearest to the decimal value written, so that
// placeholders print the shortest text (`9ms` -> `0.009`, not `0.009000000000000001`;
// `1.1h` -> `3960`, not `3960.0000000000005`).
TEST(Literals, DurationsAreCorrectlyRounded) {
  LiteralError err;
  EXPECT_EQ(decode_duration("9ms", err), 0.009);
  EXPECT_EQ(decode_duration("13ms", err), 0.013);
  EXPECT_EQ(decode_duration("1.1h", err), 3960.0);
  EXPECT_EQ(decode_duration("2.2h", err), 7920.0);
}

TEST(Literals, DurationBadUnit) {
  LiteralError e = ErrorOf(decode_duration, "10x");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_NE(e.message.find("'x'"), std::string::npos);
  e = ErrorOf(decode_duration, "3min");
  EXPECT_EQ(e.offset, 1u);
  ErrorOf(decode_duration, "5Ki");
  ErrorOf(decode_duration, "5S");
  ErrorOf(decode_duration, "5");
}

TEST(Literals, DurationBadNumber) {
  ErrorOf(decode_duration, "1_s");
  ErrorOf(decode_duration, "1e999s");
}

TEST(Literals, DurationUnits) {
  for (const char* u : {"ms", "s", "m", "h", "d"}) EXPECT_TRUE(is_duration_unit(u)) << u;
  for (const char* u : {"", "us", "ns", "S", "min", "Ki", "sec"})
    EXPECT_FALSE(is_duration_unit(u)) << u;
}

// ------------------------------------------------------------------------ sizes

TEST(Literals, SizesInPowersOf1024) {
  LiteralError err;
  EXPECT_EQ(decode_size("1Ki", err), 1024);
  EXPECT_EQ(decode_size("4Ki", err), 4096);
  EXPECT_EQ(decode_size("512Mi", err), int64_t{512} << 20);
  EXPECT_EQ(decode_size("2Gi", err), int64_t{2} << 30);
  EXPECT_EQ(decode_size("3Ti", err), int64_t{3} << 40);
}

TEST(Literals, SizesInPowersOf1000) {
  LiteralError err;
  EXPECT_EQ(decode_size("1K", err), 1000);
  EXPECT_EQ(decode_size("2M", err), 2000000);
  EXPECT_EQ(decode_size("2G", err), 2000000000);
  EXPECT_EQ(decode_size("5T", err), int64_t{5000000000000});
  EXPECT_EQ(decode_size("1_000K", err), 1000000);
  EXPECT_EQ(decode_size("0K", err), 0);
}

TEST(Literals, FractionalSizesThatAreWholeBytes) {
  LiteralError err;
  EXPECT_EQ(decode_size("1.5Gi", err), int64_t{3} << 29);
  EXPECT_EQ(decode_size("0.5Ki", err), 512);
  EXPECT_EQ(decode_size("2.5K", err), 2500);
  EXPECT_EQ(decode_size("0.25Mi", err), int64_t{1} << 18);
}

// A decimal fraction of a power-of-1000 unit is a whole number of bytes whenever it
// has no more decimals than the unit has zeros: 1.001K is exactly 1001 bytes, even
// though 1.001 * 1000 is not exactly 1001 in binary floating point.
TEST(Literals, DecimalSizesAreExact) {
  LiteralError err;
  EXPECT_EQ(decode_size("1.001K", err), 1001) << err.message;
  EXPECT_EQ(decode_size("1.005K", err), 1005) << err.message;
  EXPECT_EQ(decode_size("0.000123M", err), 123) << err.message;
  EXPECT_EQ(decode_size("1.000000001G", err), 1000000001) << err.message;
}

TEST(Literals, FractionalSizeNotWholeBytes) {
  LiteralError e = ErrorOf(decode_size, "0.3Ki");
  EXPECT_NE(e.message.find("whole number of bytes"), std::string::npos);
  ErrorOf(decode_size, "0.1Ki");
  ErrorOf(decode_size, "1.0001K");
}

// Trailing zeros in the fraction do not change the value, however many there are.
TEST(Literals, SizeWithManyTrailingZeros) {
  LiteralError err;
  EXPECT_EQ(decode_size("1.0000000000000000000000000000000000000000K", err), 1000) << err.message;
  EXPECT_EQ(decode_size("2.50000000000000000000000000000000000000000000Ki", err), 2560)
      << err.message;
}

// Zero times any power of ten is zero; the exponent's size must cost neither time
// (a loop per power of ten) nor undefined behaviour (int overflow when it is added to
// the fraction's own exponent).
TEST(Literals, ZeroWithHugeExponentIsZeroAndFast) {
  auto start = std::chrono::steady_clock::now();
  LiteralError err;
  EXPECT_EQ(decode_size("0e2147483647Ki", err), 0) << err.message;
  EXPECT_EQ(decode_size("0.00e-2147483648Ki", err), 0) << err.message;
  EXPECT_EQ(decode_size("0.0e2147483647T", err), 0) << err.message;
  EXPECT_EQ(decode_duration("0e2147483647s", err), 0.0) << err.message;
  EXPECT_EQ(decode_duration("0.00e-2147483648ms", err), 0.0) << err.message;
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

// An exponent too large for any int is an error or a value, never a crash.
TEST(Literals, ExponentPastIntRange) {
  LiteralError err;
  decode_size("0e99999999999999999999Ki", err);
  decode_size("1e99999999999999999999Ki", err);
  decode_duration("0e-99999999999999999999s", err);
  decode_float("0e99999999999999999999", err);
}

TEST(Literals, SizeOverflow) {
  LiteralError err;
  EXPECT_EQ(decode_size("8388607Ti", err), int64_t{8388607} << 40);
  EXPECT_NE(ErrorOf(decode_size, "8388608Ti").message.find("too large"), std::string::npos);
  EXPECT_NE(ErrorOf(decode_size, "10000000T").message.find("too large"), std::string::npos);
  EXPECT_NE(ErrorOf(decode_size, "9223372036854775807K").message.find("too large"),
            std::string::npos);
  EXPECT_NE(ErrorOf(decode_size, "10000000.5T").message.find("too large"), std::string::npos);
  ErrorOf(decode_size, "99999999999999999999999Ki");
}

TEST(Literals, SizeBadUnit) {
  LiteralError e = ErrorOf(decode_size, "4Qi");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_NE(e.message.find("'Qi'"), std::string::npos);
  ErrorOf(decode_size, "4ki");
  ErrorOf(decode_size, "4KiB");
  ErrorOf(decode_size, "4s");
  ErrorOf(decode_size, "4");
}

TEST(Literals, SizeUnits) {
  for (const char* u : {"Ki", "Mi", "Gi", "Ti", "K", "M", "G", "T"})
    EXPECT_TRUE(is_size_unit(u)) << u;
  for (const char* u : {"", "k", "KB", "B", "Pi", "P", "ki", "s"})
    EXPECT_FALSE(is_size_unit(u)) << u;
}

// ------------------------------------------------------------------------ strings

TEST(Literals, PlainStrings) {
  LiteralError err;
  EXPECT_EQ(decode_string("\"\"", err), "");
  EXPECT_EQ(decode_string("\"hello\"", err), "hello");
  EXPECT_EQ(decode_string("\"0 3 * * *\"", err), "0 3 * * *");
  EXPECT_EQ(decode_string("\"héllo → 😀\"", err), "héllo → 😀");
}

TEST(Literals, EachEscape) {
  LiteralError err;
  EXPECT_EQ(decode_string(R"("a\nb")", err), "a\nb");
  EXPECT_EQ(decode_string(R"("a\tb")", err), "a\tb");
  EXPECT_EQ(decode_string(R"("a\\b")", err), "a\\b");
  EXPECT_EQ(decode_string(R"("a\"b")", err), "a\"b");
  EXPECT_EQ(decode_string(R"("a\{b")", err), "a{b");
  EXPECT_EQ(decode_string(R"("a\}b")", err), "a}b");
  EXPECT_EQ(decode_string(R"("\n\t\\\"\{\}")", err), "\n\t\\\"{}");
  EXPECT_EQ(decode_string(R"("\\n")", err), "\\n");
}

TEST(Literals, UnknownEscapePointsAtTheBackslash) {
  LiteralError e = ErrorOf(decode_string, R"("a\qb")");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_NE(e.message.find("\\q"), std::string::npos);
  e = ErrorOf(decode_string, R"("\r")");
  EXPECT_EQ(e.offset, 1u);
  e = ErrorOf(decode_string, R"("ok\\ \x41")");
  EXPECT_EQ(e.offset, 6u);
  ErrorOf(decode_string, R"("\0")");
  ErrorOf(decode_string, R"("\u0041")");
}

TEST(Literals, NulByteInStringPointsAtIt) {
  using namespace std::string_literals;
  LiteralError e = ErrorOf(decode_string, "\"ab\0cd\""s);
  EXPECT_EQ(e.offset, 3u);
  EXPECT_NE(e.message.find("NUL"), std::string::npos);
  e = ErrorOf(decode_string, "\"\0\""s);
  EXPECT_EQ(e.offset, 1u);
}

TEST(Literals, UnterminatedStrings) {
  ErrorOf(decode_string, "\"abc");
  ErrorOf(decode_string, "\"");
  ErrorOf(decode_string, "");
  // The last quote is escaped, so the string is not closed.
  ErrorOf(decode_string, R"("abc\")");
}

TEST(Literals, InvalidUtf8InString) {
  LiteralError e = ErrorOf(decode_string, "\"ab\xff\"");
  EXPECT_EQ(e.offset, 3u);
  EXPECT_NE(e.message.find("UTF-8"), std::string::npos);
  // A lead byte without its continuation bytes.
  e = ErrorOf(decode_string, "\"\xe2\x86\"");
  EXPECT_EQ(e.offset, 1u);
  // A continuation byte with no lead byte.
  e = ErrorOf(decode_string, "\"x\x80y\"");
  EXPECT_EQ(e.offset, 2u);
}

// RFC 3629: overlong forms, UTF-16 surrogates and code points past U+10FFFF are not
// UTF-8 even though their bytes have the right shape.
TEST(Literals, StrictUtf8InString) {
  ErrorOf(decode_string, "\"\xc0\xaf\"");          // overlong '/'
  ErrorOf(decode_string, "\"\xe0\x80\xaf\"");      // overlong '/'
  ErrorOf(decode_string, "\"\xed\xa0\x80\"");      // U+D800, a surrogate
  ErrorOf(decode_string, "\"\xf4\x90\x80\x80\"");  // U+110000
  ErrorOf(decode_string, "\"\xf8\x88\x80\x80\x80\"");
}

// ------------------------------------------------------------------------ raw strings

TEST(Literals, RawStringWithoutNewlines) {
  EXPECT_EQ(decode_raw_string(R"("""abc""")"), "abc");
  EXPECT_EQ(decode_raw_string(R"("""""")"), "");
  // No escapes in raw strings.
  EXPECT_EQ(decode_raw_string(R"("""a\nb {x} \q""")"), R"(a\nb {x} \q)");
  EXPECT_EQ(decode_raw_string(R"("""say "hi" """)"), R"(say "hi" )");
}

TEST(Literals, RawStringDedent) {
  std::string text =
      "\"\"\"\n"
      "        python3 prep.py --in {raw} \\\n"
      "            --train {train}\n"
      "    \"\"\"";
  EXPECT_EQ(decode_raw_string(text), "python3 prep.py --in {raw} \\\n    --train {train}\n");
}

TEST(Literals, RawStringDropsBlankFirstAndLastLines) {
  EXPECT_EQ(decode_raw_string("\"\"\"\n  a\n  b\n\"\"\""), "a\nb\n");
  // A first or last line of spaces and tabs only counts as blank too.
  EXPECT_EQ(decode_raw_string("\"\"\"  \t\n  a\n  b\n \t \"\"\""), "a\nb\n");
  // Only one blank line is dropped at each end.
  EXPECT_EQ(decode_raw_string("\"\"\"\n\n  a\n\n\"\"\""), "\na\n\n");
}

TEST(Literals, RawStringNoTrailingNewlineWhenClosedOnTheLastTextLine) {
  EXPECT_EQ(decode_raw_string("\"\"\"\n    a\n    b\"\"\""), "a\nb");
  EXPECT_EQ(decode_raw_string("\"\"\"\n    echo hi\"\"\""), "echo hi");
}

TEST(Literals, RawStringFirstLineWithText) {
  // Text on the opening line is kept and takes part in the margin, as in
  // textwrap.dedent: it has no indentation, so nothing is removed.
  EXPECT_EQ(decode_raw_string("\"\"\"first\n    second\n\"\"\""), "first\n    second\n");
}

TEST(Literals, RawStringLessIndentedLine) {
  std::string text =
      "\"\"\"\n"
      "    a\n"
      "  b\n"
      "      c\n"
      "\"\"\"";
  EXPECT_EQ(decode_raw_string(text), "  a\nb\n    c\n");
}

TEST(Literals, RawStringTabs) {
  EXPECT_EQ(decode_raw_string("\"\"\"\n\ta\n\t\tb\n\"\"\""), "a\n\tb\n");
  // A tab and a space are different indentation; the common prefix is empty.
  EXPECT_EQ(decode_raw_string("\"\"\"\n\ta\n  b\n\"\"\""), "\ta\n  b\n");
  // The common prefix of "\t  " and "\t " is "\t ".
  EXPECT_EQ(decode_raw_string("\"\"\"\n\t  a\n\t b\n\"\"\""), " a\nb\n");
}

TEST(Literals, RawStringInnerBlankLines) {
  // Blank and whitespace-only inner lines do not count towards the margin and come
  // out empty.
  std::string text =
      "\"\"\"\n"
      "    a\n"
      "\n"
      "  \n"
      "        b\n"
      "    \"\"\"";
  EXPECT_EQ(decode_raw_string(text), "a\n\n\n    b\n");
}

TEST(Literals, RawStringCrlf) {
  EXPECT_EQ(decode_raw_string("\"\"\"\r\n    a\r\n    b\r\n    \"\"\""), "a\nb\n");
}

TEST(Literals, RawStringOnlyWhitespace) {
  EXPECT_EQ(decode_raw_string("\"\"\"   \"\"\""), "");
  EXPECT_EQ(decode_raw_string("\"\"\"\n\"\"\""), "");
}

}  // namespace
}  // namespace flyte
