// Diagnostics: the code table, one reported problem, and the engine that collects them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/diag/SourceManager.h"

namespace flyte {

enum class Severity : uint8_t { Error, Warning, Note };

/// A stable diagnostic code such as `DiagCode::E0301`.
enum class DiagCode : uint16_t {
#define DIAG(code, severity, summary) code,
#include "ir/diag/DiagnosticCodes.def"
  Count
};

/// The code's text (`"E0301"`), default severity and one-line summary.
std::string_view diag_code_name(DiagCode code);
Severity diag_code_severity(DiagCode code);
std::string_view diag_code_summary(DiagCode code);
std::optional<DiagCode> diag_code_from_name(std::string_view name);
std::string_view severity_name(Severity s);

/// A note attached to a diagnostic, such as "'(' opened here".
struct DiagNote {
  std::string message;
  std::optional<SourceRange> range;
};

/// One reported problem: a code, a primary range, a message and optional notes.
struct Diagnostic {
  DiagCode code;
  Severity severity;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
};

/// Collects diagnostics for one compilation. Renderers print them afterwards; nothing
/// is printed while the compiler runs, so every output format sees the same list.
class DiagnosticEngine {
 public:
  /// Reports `code` at `range`; returns the diagnostic so callers can add notes.
  Diagnostic& report(DiagCode code, SourceRange range, std::string message);

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ != 0; }
  /// Treats warnings as errors (`-Werror`).
  void set_warnings_as_errors(bool on) { werror_ = on; }
  /// Stops recording warnings (`-w`).
  void set_ignore_warnings(bool on) { ignore_warnings_ = on; }
  /// Records at most `n` errors (0: no limit), like clang's `-ferror-limit`. The first
  /// error past the limit stops recording: it and everything after it are dropped, and
  /// phases may stop early.
  void set_error_limit(size_t n) { error_limit_ = n; }
  size_t error_limit() const { return error_limit_; }
  /// True once an error past `error_limit()` was reported (and dropped).
  bool limit_reached() const { return overflowed_; }
  /// Orders diagnostics by file and position, keeping report order for ties.
  void sort();

 private:
  std::vector<Diagnostic> diags_;
  Diagnostic discarded_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
  bool werror_ = false;
  bool ignore_warnings_ = false;
  size_t error_limit_ = 0;
  bool overflowed_ = false;
};

/// The default of `--error-limit`, as clang's `-ferror-limit`.
inline constexpr size_t kDefaultErrorLimit = 20;

}  // namespace flyte
