// The compile pipeline every command that needs a module shares, written once: load the
// input (.flyte with its imports, or a .pb or .fir plan), check it, print its
// diagnostics, lower it, verify it and run the pass pipeline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "driver/Inputs.h"
#include "ir/Ir.h"
#include "passes/PassManager.h"

namespace flyte::driver {

/// Exit codes shared by every command (DESIGN.md, "Command line").
enum ExitCode : int { kOk = 0, kErrors = 1, kUsage = 2 };

struct CompileOptions {
  std::vector<std::string> include_dirs;
  std::vector<std::string> cpp_args;  // `--cpp-arg`: flags for C++ task files
  size_t error_limit = kDefaultErrorLimit;
  /// Run the pass pipeline after lowering (`graph` only draws, and does not).
  bool run_passes = true;
  passes::PipelineOptions pipeline;
};

/// A compiled input: the module, and the loaded inputs its diagnostics refer to.
struct Compilation {
  std::unique_ptr<ParsedInputs> inputs;
  std::unique_ptr<ir::Module> module;  // null on any problem
  int status = kOk;                    // the exit code when `module` is null
};

/// Compiles `file`. Diagnostics are printed on stderr as they are found (checker's,
/// then the passes'); null module with `status` kErrors for errors, kUsage for an
/// unreadable input or a module that does not verify (a compiler bug).
Compilation compile(const std::string& file, const CompileOptions& options);

}  // namespace flyte::driver
