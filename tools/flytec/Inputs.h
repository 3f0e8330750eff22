// Loading and parsing the files named on the command line, shared by the subcommands.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/Diagnostic.h"
#include "frontend/Parser.h"
#include "frontend/SourceManager.h"

namespace flyte::driver {

/// The result of parsing every file named on the command line.
struct ParsedInputs {
  SourceManager sm;
  DiagnosticEngine diags;
  std::vector<ParseResult> files;
  /// Files that could not be read; each was reported on stderr already.
  size_t unreadable = 0;
};

/// Parses `paths`; `-` reads standard input. Unreadable files get one line on stderr
/// (`flytec: error: cannot read 'x': reason`).
std::unique_ptr<ParsedInputs> parse_inputs(const std::vector<std::string>& paths,
                                           const ParseOptions& options);

enum class ColorMode { Auto, Always, Never };

/// Prints diagnostics in text form on stderr.
void print_diagnostics(const ParsedInputs& in, ColorMode color);

}  // namespace flyte::driver
