// The pass context: reporting module ranges through the diagnostics engine.
#include "passes/PassContext.h"

#include <utility>

namespace flyte::passes {

PassContext::PassContext(DiagnosticEngine& diags, SourceManager& sm, PipelineOptions options,
                         TargetDescription target)
    : diags_(diags), sm_(sm), options_(std::move(options)), target_(std::move(target)) {}

SourceRange PassContext::source_range(const ir::Module& m, ir::SourceRange r) {
  if (!r.valid() || r.file >= m.files.size()) return {};
  if (files_of_ != &m || files_.size() != m.files.size()) {
    files_of_ = &m;
    files_.assign(m.files.size(), FileId{});
    for (size_t i = 0; i < m.files.size(); ++i) {
      std::optional<FileId> id = sm_.find(m.files[i]);
      std::string error;
      if (!id) id = sm_.load_file(m.files[i], error);
      if (id) files_[i] = *id;
    }
  }
  FileId file = files_[r.file];
  if (!file.valid() || r.end > sm_.text(file).size()) return {};
  return {file, r.begin, r.end};
}

Diagnostic& PassContext::report(const ir::Module& m, DiagCode code, ir::SourceRange r,
                                std::string message) {
  return diags_.report(code, source_range(m, r), std::move(message));
}

void PassContext::note(Diagnostic& d, const ir::Module& m, ir::SourceRange r, std::string message) {
  SourceRange range = source_range(m, r);
  d.notes.push_back({std::move(message), range.file.valid() ? std::optional(range) : std::nullopt});
}

}  // namespace flyte::passes
