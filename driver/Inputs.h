// Loading, parsing and checking the files named on the command line (.flyte sources
// with their imports, .pb and .fir plans), lowering and the pass pipeline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/Parser.h"
#include "frontend/Program.h"
#include "frontend/Sema.h"
#include "ir/Ir.h"
#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"
#include "ir/diag/Verify.h"
#include "passes/PassManager.h"

namespace flyte::driver {

struct InputOptions {
  bool keep_comments = false;
  /// Diagnostic policy, applied as problems are reported: `-Werror`, `-w`, and
  /// `--error-limit` (0: no limit).
  bool warnings_as_errors = false;
  bool ignore_warnings = false;
  size_t error_limit = kDefaultErrorLimit;
  /// Resolve imports and type-check (`check`); otherwise parse only (`emit --format ast`).
  bool semantic = true;
  std::vector<std::string> include_dirs;
  /// Flags for reading C++ task files, after their compile_commands.json (`--cpp-arg`).
  std::vector<std::string> cpp_args;
};

/// One file named on the command line: a .flyte file with everything it imports, or a
/// compiled plan (`.pb`, from `flytec emit --format pb`).
struct LoadedInput {
  std::unique_ptr<Program> program;
  std::unique_ptr<Semantics> sema;
  std::unique_ptr<ir::Module> plan;  // for a .pb input, already verified
  /// For a plan under `--verify`: the comments of the sources its ranges name.
  std::vector<VerifyInput> plan_sources;
};

/// The result of loading every file named on the command line.
struct ParsedInputs {
  SourceManager sm;
  DiagnosticEngine diags;
  std::vector<LoadedInput> inputs;
  /// Files that could not be read; each was reported on stderr already.
  size_t unreadable = 0;
};

/// Loads `paths`; `-` reads standard input. Unreadable files get one line on stderr
/// (`flytec: error: cannot read 'x': reason`).
std::unique_ptr<ParsedInputs> parse_inputs(const std::vector<std::string>& paths,
                                           const InputOptions& options);

/// Lowers a checked input to the IR and verifies it; null (with the problems on stderr)
/// when the IR does not verify, which is a compiler bug.
std::unique_ptr<ir::Module> lower_checked(const ParsedInputs& in, LoadedInput& input);

/// The workflow a command acts on: the one named, else the main file's only one. Null
/// (with the reason on stderr) when there is none or the choice is ambiguous.
const ir::Workflow* choose_workflow(const ir::Module& m, const std::string& name,
                                    const std::string& file);

enum class ColorMode { Auto, Always, Never };

/// Runs the pass pipeline over `m` (a module of `in`), reporting to `in`'s diagnostics
/// engine, for the local machine.
passes::PipelineResult run_passes(ParsedInputs& in, ir::Module& m,
                                  const passes::PipelineOptions& options);

/// Prints diagnostics in text form on stderr, from the `from`th on, then, when the error
/// limit stopped the compiler, one `fatal error: too many errors emitted` line.
void print_diagnostics(const ParsedInputs& in, ColorMode color, size_t from = 0);

/// The `//` comments of every source file `plan`'s ranges name, for `--verify`.
std::vector<VerifyInput> plan_comments(ParsedInputs& in, const ir::Module& plan);

/// The line that ends the output when the error limit was reached, as clang's
/// `-ferror-limit`: "fatal error: too many errors emitted, stopping now [--error-limit=]".
void print_error_limit_reached(const ParsedInputs& in, bool color);

}  // namespace flyte::driver
