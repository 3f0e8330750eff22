// The signatures of a C++ task file, read by Clang once per content and flags: cached as
// JSON under <cache>/cpp-signatures/<XXH3 of file, flags and Clang>.json (written
// atomically), and kept in memory for the other tasks of the same file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cpptask/Signature.h"

namespace flyte::cpptask {

/// The signatures of the file at `path` (absolute) compiled with `flags`
/// (compile_flags()), named `display_name` in messages. nullopt with `error` ("No such
/// file or directory") when the file cannot be read.
std::optional<FileSignatures> signatures_for(const std::string& path,
                                             const std::string& display_name,
                                             const std::vector<std::string>& flags,
                                             std::string& error);

}  // namespace flyte::cpptask
