// C++ string literals (see CppString.h).
#include "support/CppString.h"

namespace flyte {

std::string cpp_string_literal(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    if (byte < 0x20 || byte == 0x7f) {
      out += '\\';
      out += static_cast<char>('0' + ((byte >> 6) & 7));
      out += static_cast<char>('0' + ((byte >> 3) & 7));
      out += static_cast<char>('0' + (byte & 7));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

char read_cpp_escape(std::string_view s, size_t pos, size_t& length) {
  length = 1;
  char c = s[pos];
  if (c == 'n') return '\n';
  if (c == 't') return '\t';
  if (c == 'r') return '\r';
  if (c < '0' || c > '7') return c;
  unsigned byte = 0;
  length = 0;
  while (length < 3 && pos + length < s.size() && s[pos + length] >= '0' &&
         s[pos + length] <= '7') {
    byte = byte * 8 + static_cast<unsigned>(s[pos + length] - '0');
    ++length;
  }
  return static_cast<char>(byte & 0xffU);
}

}  // namespace flyte
