// The C++ tasks of a checked program against their files (DESIGN.md, "C++ tasks"): for
// each `cpp("file.cpp", "ns::fn")` runner, Clang reads the file (through the signature
// cache) and the function is matched against the task's interface. Function missing,
// file missing or not compiling: E0602; signature mismatch: E0603, with a note at the
// C++ declaration.
#pragma once

#include <string>
#include <vector>

#include "frontend/Program.h"
#include "frontend/Sema.h"
#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"

namespace flyte::driver {

/// Checks every `cpp(...)` task of `program`'s modules (not the standard library),
/// reading the files with `cpp_args` after their compile_commands.json flags.
void check_cpp_tasks(const Program& program, const Semantics& sema, const SourceManager& sm,
                     DiagnosticEngine& diags, const std::vector<std::string>& cpp_args);

}  // namespace flyte::driver
