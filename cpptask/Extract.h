// Reading a C++ file's function signatures with Clang (Extract.cpp, the only Clang-using
// translation unit). Callers go through the cache (SignatureCache.h).
#pragma once

#include <string>
#include <vector>

#include "cpptask/Signature.h"

namespace flyte::cpptask {

/// Parses `code`, the contents of the file at `path`, with compiler flags `args` (without
/// the compiler, the file or `-c`), and lists the functions it declares. A file that
/// does not compile gives Clang's first error, naming the file `display_name`.
FileSignatures extract_signatures(const std::string& path, const std::string& display_name,
                                  const std::string& code, const std::vector<std::string>& args);

}  // namespace flyte::cpptask
