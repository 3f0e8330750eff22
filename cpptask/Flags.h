// The flags a C++ task file is read and compiled with, and where its helpers live: the
// entry of a compile_commands.json beside the file, then `--cpp-arg`s, then the runtime's
// include folder (for flyte/task.h); and the cache folder of signatures and objects.
#pragma once

#include <string>
#include <vector>

namespace flyte::cpptask {

/// The flags for compiling `file` (an absolute path): its compile_commands.json entry
/// (beside it) without the compiler, `-c`, `-o OUT` and the file itself, then `extra`,
/// then `-I` the runtime's include folder, and `-std=c++20` unless a `-std=` was given.
std::vector<std::string> compile_flags(const std::string& file,
                                       const std::vector<std::string>& extra);

/// The folder holding flyte/task.h: $FLYTEC_INCLUDE_DIR, else `../include` beside the
/// flytec binary (in the build tree and once installed).
std::string runtime_include_dir();

/// The cache folder, as the executables' task cache: $FLYTE_CACHE_DIR, else
/// $XDG_CACHE_HOME/flytec, else ~/.cache/flytec.
std::string cache_dir();

/// Splits a compile_commands.json `command` into arguments (quotes and backslashes as a
/// POSIX shell does).
std::vector<std::string> split_command(const std::string& command);

}  // namespace flyte::cpptask
