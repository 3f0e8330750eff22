// Literal decoding; see Literals.h for the accepted forms.
#include "frontend/Literals.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace flyte {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// Removes digit separators after checking that each stands between two digits.
std::optional<std::string> strip_separators(std::string_view text, LiteralError& err,
                                            bool (*digit)(char)) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '_') {
      out += text[i];
      continue;
    }
    bool before = i > 0 && digit(text[i - 1]);
    bool after = i + 1 < text.size() && (digit(text[i + 1]) || text[i + 1] == '_');
    if (!before && !(i > 0 && text[i - 1] == '_')) {
      err = {"'_' must follow a digit", static_cast<uint32_t>(i)};
      return std::nullopt;
    }
    if (!after) {
      err = {"'_' must be followed by a digit", static_cast<uint32_t>(i)};
      return std::nullopt;
    }
  }
  return out;
}

// Splits `12.5Gi` into the number `12.5` and the unit `Gi`.
std::pair<std::string_view, std::string_view> split_unit(std::string_view text) {
  size_t i = text.size();
  while (i > 0 && is_alpha(text[i - 1]) && text[i - 1] != '_') --i;
  // An exponent marker belongs to the number only when digits follow it.
  return {text.substr(0, i), text.substr(i)};
}

bool looks_like_float(std::string_view num) {
  return num.find_first_of(".eE") != std::string_view::npos;
}

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s, size_t& bad) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      bad = i;
      return false;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        bad = i;
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      bad = i;
      return false;
    }
    i += n;
  }
  return true;
}

// GCC's 128-bit integer, for exact decimal arithmetic on literals.
__extension__ typedef __int128 Int128;

// A decimal number as an exact integer mantissa and a power of ten: `1.25e3` is
// {125, 1}. Fails when the mantissa does not fit in 120 bits.
struct Decimal {
  Int128 mantissa = 0;
  int exp10 = 0;
};

std::optional<Decimal> parse_decimal(std::string_view digits) {
  size_t mantissa_end = digits.find_first_of("eE");
  std::string_view number = digits.substr(0, mantissa_end);
  size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : number.substr(dot + 1);
  // Zeros that do not change the value do not count against the mantissa's width.
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  Decimal d;
  for (std::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (!is_digit(c)) return std::nullopt;
      if (d.mantissa > (static_cast<Int128>(1) << 118)) return std::nullopt;
      d.mantissa = d.mantissa * 10 + (c - '0');
    }
  }
  d.exp10 = -static_cast<int>(fraction.size());
  if (mantissa_end != std::string_view::npos) {
    std::string_view exp = digits.substr(mantissa_end + 1);
    if (!exp.empty() && exp.front() == '+') exp.remove_prefix(1);
    int64_t e = 0;
    auto [ptr, ec] = std::from_chars(exp.data(), exp.data() + exp.size(), e);
    if (ptr != exp.data() + exp.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return std::nullopt;
    }
    // Past a few hundred the value is zero, infinite or an error whatever the digits;
    // clamping keeps the arithmetic (and every loop over it) small.
    if (ec == std::errc::result_out_of_range) e = exp.front() == '-' ? -100000 : 100000;
    e = std::clamp<int64_t>(e, -100000, 100000);
    d.exp10 += static_cast<int>(e);
  }
  if (d.mantissa == 0) d.exp10 = 0;
  return d;
}

// `d * scale` correctly rounded to a double: the exact product is formed as an
// integer and converted once, so `9ms` is exactly the double nearest 0.009.
std::optional<double> scaled(const Decimal& d, int64_t scale, int scale_exp10) {
  Int128 m = d.mantissa * scale;
  if (d.mantissa != 0 && m / d.mantissa != scale) return std::nullopt;
  std::string text;
  for (Int128 v = m; v > 0; v /= 10) text.insert(text.begin(), static_cast<char>('0' + v % 10));
  if (text.empty()) text = "0";
  text += "e" + std::to_string(d.exp10 + scale_exp10);
  double out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || std::isinf(out)) return std::nullopt;
  return out;
}

}  // namespace

bool is_duration_unit(std::string_view u) {
  return u == "ms" || u == "s" || u == "m" || u == "h" || u == "d";
}

bool is_size_unit(std::string_view u) {
  return u == "Ki" || u == "Mi" || u == "Gi" || u == "Ti" || u == "K" || u == "M" || u == "G" ||
         u == "T";
}

std::optional<int64_t> decode_int(std::string_view text, LiteralError& err) {
  bool hex = text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  std::string_view body = hex ? text.substr(2) : text;
  if (body.empty()) {
    err = {"expected hexadecimal digits after '0x'", 0};
    return std::nullopt;
  }
  auto digits = strip_separators(body, err, hex ? is_hex : is_digit);
  if (!digits) {
    if (hex) err.offset += 2;
    return std::nullopt;
  }
  for (size_t i = 0; i < digits->size(); ++i) {
    if (!(hex ? is_hex((*digits)[i]) : is_digit((*digits)[i]))) {
      err = {"invalid digit in integer literal", 0};
      return std::nullopt;
    }
  }
  int64_t value = 0;
  auto [ptr, ec] =
      std::from_chars(digits->data(), digits->data() + digits->size(), value, hex ? 16 : 10);
  if (ec == std::errc::result_out_of_range) {
    err = {"integer literal is too large for a 64-bit int", 0};
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != digits->data() + digits->size()) {
    err = {"invalid integer literal", 0};
    return std::nullopt;
  }
  return value;
}

std::optional<double> decode_float(std::string_view text, LiteralError& err) {
  auto digits = strip_separators(text, err, is_digit);
  if (!digits) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), value);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && std::isinf(value))) {
    err = {"number is out of range for a 64-bit float", 0};
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != digits->data() + digits->size()) {
    err = {"invalid number", static_cast<uint32_t>(ptr - digits->data())};
    return std::nullopt;
  }
  return value;
}

std::optional<double> decode_duration(std::string_view text, LiteralError& err) {
  auto [num, unit] = split_unit(text);
  int64_t scale = unit == "ms"  ? 1
                  : unit == "s" ? 1
                  : unit == "m" ? 60
                  : unit == "h" ? 3600
                  : unit == "d" ? 86400
                                : 0;
  if (scale == 0) {
    err = {"unknown duration unit '" + std::string(unit) + "' (expected ms, s, m, h or d)",
           static_cast<uint32_t>(num.size())};
    return std::nullopt;
  }
  auto v = decode_float(num, err);  // validates the number's form
  if (!v) return std::nullopt;
  auto digits = strip_separators(num, err, is_digit);
  auto d = digits ? parse_decimal(*digits) : std::nullopt;
  std::optional<double> seconds = d ? scaled(*d, scale, unit == "ms" ? -3 : 0) : std::nullopt;
  return seconds ? *seconds : *v * static_cast<double>(scale) * (unit == "ms" ? 0.001 : 1);
}

std::optional<int64_t> decode_size(std::string_view text, LiteralError& err) {
  auto [num, unit] = split_unit(text);
  int64_t scale = unit == "Ki"   ? int64_t{1} << 10
                  : unit == "Mi" ? int64_t{1} << 20
                  : unit == "Gi" ? int64_t{1} << 30
                  : unit == "Ti" ? int64_t{1} << 40
                  : unit == "K"  ? 1000
                  : unit == "M"  ? 1000000
                  : unit == "G"  ? 1000000000
                  : unit == "T"  ? 1000000000000
                                 : 0;
  if (scale == 0) {
    err = {"unknown size unit '" + std::string(unit) + "' (expected Ki, Mi, Gi, Ti, K, M, G or T)",
           static_cast<uint32_t>(num.size())};
    return std::nullopt;
  }
  if (!looks_like_float(num)) {
    auto v = decode_int(num, err);
    if (!v) return std::nullopt;
    int64_t bytes = 0;
    if (__builtin_mul_overflow(*v, scale, &bytes)) {
      err = {"size is too large", 0};
      return std::nullopt;
    }
    return bytes;
  }
  auto v = decode_float(num, err);  // validates the number's form
  if (!v) return std::nullopt;
  // Exact decimal arithmetic: 1.001K is 1001 bytes, not 1000.9999…
  auto digits = strip_separators(num, err, is_digit);
  auto d = digits ? parse_decimal(*digits) : std::nullopt;
  Int128 bytes = d ? d->mantissa * scale : 0;
  if (!d || (d->mantissa != 0 && bytes / d->mantissa != scale)) {
    err = {"size is too large", 0};
    return std::nullopt;
  }
  if (bytes == 0) return 0;
  for (int e = d->exp10; e > 0; --e) {
    bytes *= 10;
    if (bytes > INT64_MAX) break;
  }
  for (int e = d->exp10; e < 0; ++e) {
    if (bytes % 10 != 0) {
      err = {"size must be a whole number of bytes", 0};
      return std::nullopt;
    }
    bytes /= 10;
  }
  if (bytes > INT64_MAX) {
    err = {"size is too large", 0};
    return std::nullopt;
  }
  return static_cast<int64_t>(bytes);
}

std::optional<std::string> decode_string(std::string_view text, LiteralError& err) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') {
    err = {"unterminated string literal", 0};
    return std::nullopt;
  }
  std::string_view body = text.substr(1, text.size() - 2);
  size_t bad = 0;
  if (!valid_utf8(body, bad)) {
    err = {"string literal is not valid UTF-8", static_cast<uint32_t>(bad + 1)};
    return std::nullopt;
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\0') {
      // Strings become file names, arguments and shell commands, all C strings: a NUL
      // would silently cut them short.
      err = {"a NUL byte in a string", static_cast<uint32_t>(i + 1)};
      return std::nullopt;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= body.size()) {
      err = {"unterminated escape sequence", static_cast<uint32_t>(i + 1)};
      return std::nullopt;
    }
    char e = body[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '\\':
      case '"':
      case '{':
      case '}': out += e; break;
      default:
        err = {"unknown escape sequence '\\" + std::string(1, e) +
                   "' (use \\n, \\t, \\\\, \\\", \\{ or \\})",
               static_cast<uint32_t>(i)};
        return std::nullopt;
    }
  }
  return out;
}

std::string decode_raw_string(std::string_view text) {
  std::string_view body = text.size() >= 6 ? text.substr(3, text.size() - 6) : std::string_view();
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = body.find('\n', start);
    std::string_view line = body.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  auto blank = [](const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; };
  bool trailing_newline = false;
  if (lines.size() > 1 && blank(lines.front())) lines.erase(lines.begin());
  if (lines.size() > 1 && blank(lines.back())) {
    lines.pop_back();
    trailing_newline = true;
  }
  // The margin is the longest whitespace prefix shared by every non-blank line.
  std::optional<std::string> margin;
  for (const std::string& l : lines) {
    if (blank(l)) continue;
    std::string indent = l.substr(0, l.find_first_not_of(" \t"));
    if (!margin) {
      margin = indent;
      continue;
    }
    size_t k = 0;
    while (k < margin->size() && k < indent.size() && (*margin)[k] == indent[k]) ++k;
    margin->resize(k);
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    if (blank(lines[i])) continue;
    out += margin ? std::string_view(lines[i]).substr(margin->size()) : lines[i];
  }
  if (trailing_newline) out += '\n';
  return out;
}

}  // namespace flyte
