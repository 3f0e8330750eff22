// The pass manager: the registry of passes, the default pipeline, and the LLVM-style
// controls (--print-ir-after, --stop-after, --time-passes, --verify-each).
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ir/Ir.h"
#include "passes/Pass.h"

namespace flyte::passes {

struct PipelineResult {
  bool ok = true;              // no errors reported by the passes
  bool verify_failed = false;  // --verify-each found a broken module (a compiler bug)
};

/// Every registered pass: name and one-line summary, in pipeline order.
std::vector<std::pair<std::string, std::string>> registered_passes();

/// True when `name` is a registered pass.
bool is_registered(const std::string& name);

/// Runs the default pipeline over `m` with `ctx`'s options (only the analyses with
/// `analysis_only`); problems go to `ctx`'s diagnostics engine. IR printed after passes
/// goes to `out`; timing and statistics (--time-passes) and verifier failures go to `err`.
PipelineResult run_pipeline(ir::Module& m, PassContext& ctx, std::ostream& out, std::ostream& err);

}  // namespace flyte::passes
