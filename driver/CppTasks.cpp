// Checking C++ tasks against their files.
#include "driver/CppTasks.h"

#include <fmt/format.h>

#include <filesystem>

#include "cpptask/Flags.h"
#include "cpptask/Match.h"
#include "cpptask/SignatureCache.h"

namespace flyte::driver {
namespace fs = std::filesystem;
namespace {

void check_task(const Module& m, const ast::TaskDecl* t, const Semantics& sema,
                DiagnosticEngine& diags, const std::vector<std::string>& cpp_args) {
  const ast::Runner& r = t->runner;
  if (r.args.size() != 2 || r.args[0]->malformed || r.args[1]->malformed) return;
  const std::string& file = r.args[0]->value;
  const std::string& symbol = r.args[1]->value;
  fs::path dir = fs::path(m.path).parent_path();
  std::string display = (dir / file).lexically_normal().string();
  std::error_code ec;
  std::string absolute = fs::absolute(dir / file, ec).lexically_normal().string();
  std::string error;
  std::optional<cpptask::FileSignatures> sigs =
      cpptask::signatures_for(absolute, display, cpptask::compile_flags(absolute, cpp_args), error);
  if (!sigs) {
    diags.report(
        DiagCode::E0602, r.args[0]->range,
        fmt::format("cannot read C++ file '{}' of task '{}': {}", display, t->name.name, error));
    return;
  }
  if (!sigs->error.empty()) {
    Diagnostic& d = diags.report(
        DiagCode::E0602, r.args[0]->range,
        fmt::format("C++ file '{}' of task '{}' does not compile", display, t->name.name));
    d.notes.push_back({sigs->error, std::nullopt});
    return;
  }
  std::vector<const cpptask::CppFunction*> candidates = cpptask::find_functions(*sigs, symbol);
  if (candidates.empty()) {
    Diagnostic& d =
        diags.report(DiagCode::E0602, r.args[1]->range,
                     fmt::format("C++ function '{}' of task '{}' is not declared in '{}'", symbol,
                                 t->name.name, display));
    // The functions of the same unqualified name elsewhere, else what the file has.
    std::string base =
        symbol.substr(symbol.rfind(':') == std::string::npos ? 0 : symbol.rfind(':') + 1);
    size_t listed = 0;
    for (const cpptask::CppFunction& f : sigs->functions) {
      std::string fbase =
          f.name.substr(f.name.rfind(':') == std::string::npos ? 0 : f.name.rfind(':') + 1);
      if (fbase != base || listed++ >= 5) continue;
      d.notes.push_back({fmt::format("did you mean '{}'? declared here: {}", f.name, f.location()),
                         std::nullopt});
    }
    return;
  }
  cpptask::TaskInterface iface;
  const std::vector<TypeId>& params = sema.param_types.at(t);
  for (size_t i = 0; i < t->params.size() && i < params.size(); ++i)
    iface.inputs.push_back({std::string(t->params[i].name.name), params[i]});
  iface.outputs = sema.outputs.at(t);
  iface.named_outputs = t->outputs && t->outputs->named;
  std::vector<std::vector<std::string>> problems;
  for (const cpptask::CppFunction* f : candidates) {
    problems.push_back(cpptask::mismatches(sema.types, iface, *f));
    if (problems.back().empty()) {
      if (!f->defined) {
        Diagnostic& d = diags.report(
            DiagCode::E0602, r.args[1]->range,
            fmt::format("C++ function '{}' of task '{}' is declared but not defined in '{}'",
                        symbol, t->name.name, display));
        d.notes.push_back({fmt::format("declared here: {}", f->location()), std::nullopt});
      }
      return;  // this overload runs the task
    }
  }
  if (candidates.size() == 1) {
    const std::vector<std::string>& why = problems.front();
    Diagnostic& d = diags.report(DiagCode::E0603, r.range,
                                 fmt::format("C++ function '{}' does not match task '{}': {}",
                                             symbol, t->name.name, why.front()));
    for (size_t i = 1; i < why.size(); ++i) d.notes.push_back({why[i], std::nullopt});
    d.notes.push_back({fmt::format("'{}' declared here: {}", candidates.front()->signature(),
                                   candidates.front()->location()),
                       std::nullopt});
    return;
  }
  Diagnostic& d =
      diags.report(DiagCode::E0603, r.range,
                   fmt::format("none of the {} overloads of C++ function '{}' matches task '{}'",
                               candidates.size(), symbol, t->name.name));
  for (size_t i = 0; i < candidates.size(); ++i) {
    d.notes.push_back({fmt::format("candidate '{}' at {}: {}", candidates[i]->signature(),
                                   candidates[i]->location(), problems[i].front()),
                       std::nullopt});
  }
}

}  // namespace

void check_cpp_tasks(const Program& program, const Semantics& sema, const SourceManager&,
                     DiagnosticEngine& diags, const std::vector<std::string>& cpp_args) {
  for (const auto& m : program.modules) {
    if (m->is_stdlib || m->ast == nullptr) continue;
    for (const ast::Decl* d : m->ast->decls) {
      if (d->kind != ast::DeclKind::Task) continue;
      const auto* t = static_cast<const ast::TaskDecl*>(d);
      if (t->runner.kind != ast::RunnerKind::Cpp || sema.param_types.count(t) == 0 ||
          sema.outputs.count(t) == 0)
        continue;
      check_task(*m, t, sema, diags, cpp_args);
    }
  }
}

}  // namespace flyte::driver
