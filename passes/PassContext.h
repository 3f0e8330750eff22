// What every pass is given besides the module: the diagnostics engine it reports to
// (through the one code table, so that `flytec check` shows what any pass finds), the
// pipeline's options, and the target description.
#pragma once

#include <string>
#include <vector>

#include "ir/Ir.h"
#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"
#include "passes/Target.h"

namespace flyte::passes {

/// The pipeline's options: the LLVM-style controls and which passes run.
struct PipelineOptions {
  std::vector<std::string> print_ir_after;  // pass names, or "all"
  std::string stop_after;
  bool time_passes = false;
  bool verify_each = false;
  /// Only the passes that analyse without changing the module (`flytec check`).
  bool analysis_only = false;
};

/// Shared state of one pipeline run over one module.
class PassContext {
 public:
  PassContext(DiagnosticEngine& diags, SourceManager& sm, PipelineOptions options = {},
              TargetDescription target = probe_local_machine());

  DiagnosticEngine& diags() { return diags_; }
  const PipelineOptions& options() const { return options_; }
  const TargetDescription& target() const { return target_; }

  /// Reports `code` at the module's range `r`; returns the diagnostic for notes.
  Diagnostic& report(const ir::Module& m, DiagCode code, ir::SourceRange r, std::string message);
  /// Adds a note at the module's range `r` to `d`.
  void note(Diagnostic& d, const ir::Module& m, ir::SourceRange r, std::string message);

  /// The source manager's range for a range of `m`: the file is the one already loaded
  /// under that path, else it is read again (for a plan). No range when the file cannot
  /// be read or the range is beyond its end (the file changed since).
  SourceRange source_range(const ir::Module& m, ir::SourceRange r);

 private:
  DiagnosticEngine& diags_;
  SourceManager& sm_;
  PipelineOptions options_;
  TargetDescription target_;
  const ir::Module* files_of_ = nullptr;  // the module `files_` was built for
  std::vector<FileId> files_;             // Module::files -> source manager (invalid: unreadable)
};

}  // namespace flyte::passes
