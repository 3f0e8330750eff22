// Renders collected diagnostics as text (for people), JSON (for scripts) or SARIF 2.1.0
// (for code-scanning tools).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"

namespace flyte {

enum class DiagFormat { Text, Json, Sarif };

/// Prints `FILE:LINE:COL: error[E0001]: MESSAGE`, the source line and a `^~~~`
/// underline for each diagnostic, then its notes; ANSI colour when `color` is set.
void render_text(const std::vector<Diagnostic>& diags, const SourceManager& sm, std::ostream& out,
                 bool color);

/// One JSON array; each element has severity, code, message, file, line, column,
/// end_line, end_column and notes (DESIGN.md, "Command line").
std::string render_json(const std::vector<Diagnostic>& diags, const SourceManager& sm);

/// A SARIF 2.1.0 log with one run whose rules are the diagnostic code table.
std::string render_sarif(const std::vector<Diagnostic>& diags, const SourceManager& sm);

/// True when colour should be used on `fd`: it is a terminal and NO_COLOR is unset.
bool want_color(int fd);

}  // namespace flyte
