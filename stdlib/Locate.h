// Finds the standard library's .flyte files relative to the running flytec binary, so
// that the same binary works from the build tree and after `cmake --install`.
#pragma once

#include <optional>
#include <string>

namespace flyte {

/// The directory holding `std/*.flyte`: `$FLYTEC_STDLIB_DIR` when set, else
/// `<binary dir>/../share/flytec/stdlib`. Empty when neither exists.
std::optional<std::string> find_stdlib_dir();

/// The directory of the running executable (`/proc/self/exe`).
std::optional<std::string> executable_dir();

}  // namespace flyte
