// Splitting shell command templates into text and placeholders.
#include "support/ShellCommand.h"

namespace flyte {
namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::vector<ShellPiece> split_shell_command(std::string_view command,
                                            std::vector<ShellTemplateError>& errors) {
  std::vector<ShellPiece> pieces;
  // A '{' already reported as a bad placeholder: its '}' is not reported again.
  int reported_open = 0;
  auto literal = [&](size_t at) -> ShellPiece& {
    if (pieces.empty() || pieces.back().placeholder) pieces.push_back({false, "", at});
    return pieces.back();
  };
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == '{' && i + 1 < command.size() && command[i + 1] == '{') {
      literal(i).text += '{';
      ++i;
    } else if (c == '}' && i + 1 < command.size() && command[i + 1] == '}') {
      literal(i).text += '}';
      ++i;
    } else if (c == '{') {
      size_t j = i + 1;
      if (j < command.size() && ident_start(command[j])) {
        while (j < command.size() && ident_char(command[j])) ++j;
      }
      if (j < command.size() && command[j] == '}' && j > i + 1) {
        pieces.push_back({true, std::string(command.substr(i + 1, j - i - 1)), i});
        i = j;
      } else {
        errors.push_back({i,
                          "'{' does not start a placeholder such as {name}; write '{{' for a "
                          "literal brace"});
        ++reported_open;
        literal(i).text += '{';
      }
    } else if (c == '}') {
      if (reported_open > 0) {
        --reported_open;
      } else {
        errors.push_back({i, "unmatched '}'; write '}}' for a literal brace"});
      }
      literal(i).text += '}';
    } else {
      literal(i).text += c;
    }
  }
  return pieces;
}

}  // namespace flyte
