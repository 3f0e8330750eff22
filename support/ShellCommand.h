// Shell command templates (LANGUAGE.md section 4.1): literal text and `{name}`
// placeholders, with `{{` and `}}` for literal braces. Shared by the checker (E0601,
// W0003) and the backends that substitute values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flyte {

/// A piece of a command: literal text, or a placeholder naming an input or output.
struct ShellPiece {
  bool placeholder = false;
  std::string text;   // the literal text, or the placeholder's name
  size_t offset = 0;  // where the piece starts in the template
};

/// A brace that is neither a placeholder nor doubled, at `offset`.
struct ShellTemplateError {
  size_t offset;
  std::string message;
};

/// Splits `command` into pieces; problems go to `errors` and the text around them is kept.
std::vector<ShellPiece> split_shell_command(std::string_view command,
                                            std::vector<ShellTemplateError>& errors);

}  // namespace flyte
