// Task runners: `builtin` reserved for the standard library and naming a known kernel,
// and shell command templates (stray braces, placeholders naming no input or output,
// outputs nothing writes).
#include "frontend/check/Runners.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include "frontend/Suggest.h"
#include "support/ShellCommand.h"

namespace flyte::check {
namespace {

// Reports the template errors of a shell command (stray braces) at the brace. The decoded
// command may differ from the source (escapes, dedent), so each is found by the decoded
// text that follows it.
void report_template_errors(Context& ctx, const ast::StringLit* cmd, std::string_view source,
                            const std::vector<ShellTemplateError>& errors) {
  size_t stray_from = 0;
  for (const ShellTemplateError& err : errors) {
    std::string_view after = std::string_view(cmd->value).substr(err.offset, 24);
    after = after.substr(0, after.find('\n'));
    size_t at = source.find(after, stray_from);
    SourceRange where = cmd->range;
    if (!after.empty() && at != std::string_view::npos) {
      stray_from = at + 1;
      where = {cmd->range.file, cmd->range.begin + static_cast<uint32_t>(at),
               cmd->range.begin + static_cast<uint32_t>(at + 1)};
    }
    ctx.error(DiagCode::E0601, where, err.message);
  }
}

// The names a placeholder may use: the inputs, then the outputs ("o" for a single one).
std::vector<std::string_view> placeholder_names(const ast::TaskDecl* t) {
  std::vector<std::string_view> names;
  for (const ast::Param& p : t->params) names.push_back(p.name.name);
  if (t->outputs) {
    if (t->outputs->named) {
      for (const ast::Field& f : t->outputs->fields) names.push_back(f.name.name);
    } else {
      names.push_back("o");
    }
  }
  return names;
}

void check_shell(Context& ctx, const ast::TaskDecl* t, const ast::StringLit* cmd) {
  std::vector<ShellTemplateError> errors;
  std::vector<ShellPiece> pieces = split_shell_command(cmd->value, errors);
  std::string_view source =
      ctx.sm.text(cmd->range.file).substr(cmd->range.begin, cmd->range.end - cmd->range.begin);
  report_template_errors(ctx, cmd, source, errors);
  // Each placeholder is found in the literal's source text, in order, to point at it.
  size_t search_from = 0;
  auto locate = [&](std::string_view needle) -> SourceRange {
    size_t at = source.find(needle, search_from);
    if (at == std::string_view::npos) return cmd->range;
    search_from = at + needle.size();
    return {cmd->range.file, cmd->range.begin + static_cast<uint32_t>(at),
            cmd->range.begin + static_cast<uint32_t>(at + needle.size())};
  };
  std::vector<std::string_view> names = placeholder_names(t);
  std::unordered_map<std::string, bool> mentioned;
  for (const ShellPiece& p : pieces) {
    if (!p.placeholder) continue;
    SourceRange at = locate("{" + p.text + "}");
    mentioned[p.text] = true;
    if (std::find(names.begin(), names.end(), p.text) != names.end()) continue;
    Diagnostic& d =
        ctx.error(DiagCode::E0601, at,
                  fmt::format("placeholder '{{{}}}' names no input or output of task '{}'", p.text,
                              t->name.name));
    if (auto sug = closest_name(p.text, names)) {
      d.notes.push_back({fmt::format("did you mean '{{{}}}'?", *sug), std::nullopt});
    }
  }
  if (!t->outputs) return;
  auto warn = [&](std::string_view name, SourceRange at) {
    if (mentioned.count(std::string(name)) != 0) return;
    ctx.error(DiagCode::W0003, at,
              fmt::format("the shell command of task '{}' never mentions output '{{{}}}', so "
                          "nothing writes it",
                          t->name.name, name));
  };
  if (t->outputs->named) {
    for (const ast::Field& f : t->outputs->fields) warn(f.name.name, f.name.range);
  } else {
    warn("o", t->outputs->range);
  }
}

// Every kernel name the runtime has (ir/Builtins.def).
constexpr std::string_view kBuiltinNames[] = {
#define FLYTE_BUILTIN(name) name,
#include "ir/Builtins.def"
};

// `builtin("name")` names a kernel of the runtime (E0604), with the closest suggested.
void check_builtin_name(Context& ctx, const ast::StringLit* name) {
  if (name->malformed) return;  // reported (E0002)
  auto known = std::begin(kBuiltinNames);
  if (std::find(known, std::end(kBuiltinNames), name->value) != std::end(kBuiltinNames)) return;
  Diagnostic& d = ctx.error(DiagCode::E0604, name->range,
                            fmt::format("unknown builtin kernel '{}'", name->value));
  std::vector<std::string_view> names(known, std::end(kBuiltinNames));
  if (auto sug = closest_name(name->value, names)) {
    d.notes.push_back({fmt::format("did you mean '{}'?", *sug), std::nullopt});
  }
}

}  // namespace

void check_runner(Context& ctx, const ast::TaskDecl* t) {
  const ast::Runner& r = t->runner;
  const Module* m = ctx.decl_module[t];
  if (r.kind == ast::RunnerKind::Builtin) {
    if (!m->is_stdlib && m->name.rfind("std.", 0) != 0) {
      ctx.error(DiagCode::E0501, r.range,
                "'builtin(...)' runners are reserved for the standard library; use shell or cpp");
    } else if (r.args.size() == 1) {
      check_builtin_name(ctx, r.args[0]);
    }
    return;
  }
  if (r.kind != ast::RunnerKind::Shell || r.args.size() != 1) return;
  const ast::StringLit* cmd = r.args[0];
  if (cmd->malformed) return;  // reported (E0002); its placeholders are unknown
  check_shell(ctx, t, cmd);
}

}  // namespace flyte::check
