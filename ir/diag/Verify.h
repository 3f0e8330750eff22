// `--verify`: checks the diagnostics of a run against expectations written in the
// sources, in the manner of Clang's -verify:
//   // expected-error@+1 {{E0301}}
//   // expected-warning {{W0001: unused}}
#pragma once

#include <ostream>
#include <vector>

#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"

namespace flyte {

/// The `//` comments of one file, as the lexer kept them.
struct VerifyInput {
  FileId file;
  std::vector<SourceRange> comments;
};

/// Matches every diagnostic against the expectations; prints what is missing or
/// unexpected to `out` and returns true when both lists are empty. Malformed
/// expectations are problems too.
bool verify_diagnostics(const SourceManager& sm, const std::vector<VerifyInput>& inputs,
                        const std::vector<Diagnostic>& diags, std::ostream& out);

}  // namespace flyte
