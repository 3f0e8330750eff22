// A program: the main file and every module it imports, parsed, with imports resolved.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/Ast.h"
#include "ir/diag/Diagnostic.h"
#include "ir/diag/SourceManager.h"

namespace flyte {

struct Module;

/// One resolved `import`: the module it names and how its names are reached.
struct ResolvedImport {
  const ast::Import* syntax;
  Module* module;  // null when the module was not found (E0104 reported)
};

/// A parsed file with its imports resolved, such as `std.ml`.
struct Module {
  std::string name;  // dotted, as imported (`std.ml`); the main file's own name if any
  std::string path;
  FileId file;
  bool is_stdlib = false;
  std::unique_ptr<ast::File> ast;
  std::vector<ResolvedImport> imports;
  std::vector<SourceRange> comments;  // kept for --verify
};

struct LoadOptions {
  /// Searched after the main file's directory, in order (`-I DIR`).
  std::vector<std::string> include_dirs;
  /// The standard library's directory (holding `std/`); std.* resolves only there.
  std::optional<std::string> stdlib_dir;
  bool keep_comments = false;
};

struct Program {
  std::vector<std::unique_ptr<Module>> modules;  // modules[0] is the main file
  Module* main() const { return modules.front().get(); }
};

/// Parses `main_file` and, transitively, every module it imports (LANGUAGE.md section 4:
/// the main file's directory, then each include directory, then the standard library).
/// A missing module is E0104; an import cycle is E0402. Each module is parsed once.
std::unique_ptr<Program> load_program(SourceManager& sm, FileId main_file, DiagnosticEngine& diags,
                                      const LoadOptions& options);

}  // namespace flyte
