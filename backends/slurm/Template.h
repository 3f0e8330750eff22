// Fills the `@NAME@` holes of a script template. Only values the backend made safe
// (node keys, sanitized names, numbers, whole option lines) are filled in: input values
// never reach a script, they travel through the store.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte::slurm {

/// `text` with each `@NAME@` replaced by its value; an `@` that starts no known hole
/// is kept as it is.
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values);

/// `text` on one line, for a comment: line breaks become spaces.
std::string one_line(std::string_view text);

}  // namespace flyte::slurm
