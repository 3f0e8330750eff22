// The diagnostic code table and the collecting engine.
#include "ir/diag/Diagnostic.h"

#include <algorithm>
#include <array>

#include "support/Check.h"

namespace flyte {
namespace {

struct CodeInfo {
  std::string_view name;
  Severity severity;
  std::string_view summary;
};

constexpr std::array<CodeInfo, static_cast<size_t>(DiagCode::Count)> kCodes = {{
#define DIAG(code, severity, summary) {#code, Severity::severity, summary},
#include "ir/diag/DiagnosticCodes.def"
}};

const CodeInfo& info(DiagCode code) {
  auto i = static_cast<size_t>(code);
  FLYTEC_CHECK(i < kCodes.size(), "invalid diagnostic code");
  return kCodes[i];
}

}  // namespace

std::string_view diag_code_name(DiagCode code) { return info(code).name; }
Severity diag_code_severity(DiagCode code) { return info(code).severity; }
std::string_view diag_code_summary(DiagCode code) { return info(code).summary; }

std::optional<DiagCode> diag_code_from_name(std::string_view name) {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i].name == name) return static_cast<DiagCode>(i);
  }
  return std::nullopt;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  FLYTEC_UNREACHABLE("severity");
}

Diagnostic& DiagnosticEngine::report(DiagCode code, SourceRange range, std::string message) {
  Severity sev = diag_code_severity(code);
  if (sev == Severity::Warning && werror_ && !ignore_warnings_) sev = Severity::Error;
  // One error past the limit stops recording (and tells the phases to stop).
  if (sev == Severity::Error && error_limit_ != 0 && errors_ >= error_limit_) overflowed_ = true;
  if ((sev == Severity::Warning && ignore_warnings_) || overflowed_) {
    discarded_ = Diagnostic{code, sev, range, std::move(message), {}};
    return discarded_;
  }
  if (sev == Severity::Error) ++errors_;
  if (sev == Severity::Warning) ++warnings_;
  diags_.push_back(Diagnostic{code, sev, range, std::move(message), {}});
  return diags_.back();
}

void DiagnosticEngine::sort() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.range.file.index != b.range.file.index) return a.range.file.index < b.range.file.index;
    return a.range.begin < b.range.begin;
  });
}

}  // namespace flyte
