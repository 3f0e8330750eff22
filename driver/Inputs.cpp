// Loading the inputs of a command: .flyte files with their imports, and plans.
#include "driver/Inputs.h"

#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <iterator>

#include "driver/CppTasks.h"
#include "frontend/Lexer.h"
#include "frontend/Lower.h"
#include "ir/Serialize.h"
#include "ir/TextParser.h"
#include "ir/Verifier.h"
#include "ir/diag/DiagnosticRender.h"
#include "stdlib/Locate.h"

namespace flyte::driver {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::unique_ptr<ParsedInputs> parse_inputs(const std::vector<std::string>& paths,
                                           const InputOptions& options) {
  auto in = std::make_unique<ParsedInputs>();
  in->diags.set_warnings_as_errors(options.warnings_as_errors);
  in->diags.set_ignore_warnings(options.ignore_warnings);
  in->diags.set_error_limit(options.error_limit);
  LoadOptions load;
  load.include_dirs = options.include_dirs;
  load.stdlib_dir = find_stdlib_dir();
  load.keep_comments = options.keep_comments;
  for (const std::string& path : paths) {
    std::optional<FileId> id;
    if (path == "-") {
      // Standard input is read up to the same limit as files, one byte past it at most.
      std::string text;
      char buf[1 << 16];
      while (text.size() <= kMaxSourceBytes) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
      }
      if (text.size() > kMaxSourceBytes) {
        std::cerr << "flytec: error: cannot read '-': standard input is too large (more than "
                  << (kMaxSourceBytes >> 20) << " MiB)\n";
        ++in->unreadable;
        continue;
      }
      id = in->sm.add_buffer("<stdin>", std::move(text));
    } else {
      std::string error;
      id = in->sm.load_file(path, error);
      if (!id) {
        std::cerr << "flytec: error: cannot read '" << path << "': " << error << '\n';
        ++in->unreadable;
        continue;
      }
    }
    LoadedInput input;
    bool is_pb = ends_with(path, ".pb");
    if (is_pb || ends_with(path, ".fir")) {
      // A compiled plan: no parsing or checking, but it must be a well-formed IR.
      std::string error;
      input.plan = is_pb ? ir::from_protobuf(in->sm.text(*id), error)
                         : ir::parse_text(in->sm.text(*id), error);
      std::vector<std::string> problems;
      if (input.plan != nullptr) problems = ir::verify_module(*input.plan);
      if (input.plan == nullptr || !problems.empty()) {
        std::cerr << "flytec: error: cannot read '" << path << "': "
                  << (input.plan == nullptr ? error : "malformed plan: " + problems.front())
                  << '\n';
        ++in->unreadable;
        continue;
      }
      in->inputs.push_back(std::move(input));
      continue;
    }
    if (options.semantic) {
      input.program = load_program(in->sm, *id, in->diags, load);
      input.sema = check_program(*input.program, in->sm, in->diags);
      check_cpp_tasks(*input.program, *input.sema, in->sm, in->diags, options.cpp_args);
    } else {
      input.program = std::make_unique<Program>();
      auto m = std::make_unique<Module>();
      m->file = *id;
      m->path = path;
      ParseOptions po;
      po.keep_comments = options.keep_comments;
      ParseResult r = parse_file(in->sm, *id, in->diags, po);
      m->ast = std::move(r.file);
      m->comments = std::move(r.comments);
      input.program->modules.push_back(std::move(m));
    }
    in->inputs.push_back(std::move(input));
  }
  in->diags.sort();
  return in;
}

std::unique_ptr<ir::Module> lower_checked(const ParsedInputs& in, LoadedInput& input) {
  if (input.plan != nullptr) return std::move(input.plan);
  std::unique_ptr<ir::Module> module = lower_program(*input.program, *input.sema, in.sm);
  std::vector<std::string> problems = ir::verify_module(*module);
  if (problems.empty()) return module;
  std::cerr << "flytec: internal error: the lowered IR does not verify:\n";
  for (const std::string& p : problems) std::cerr << "  " << p << "\n";
  return nullptr;
}

const ir::Workflow* choose_workflow(const ir::Module& m, const std::string& name,
                                    const std::string& file) {
  std::vector<const ir::Workflow*> candidates;
  const ir::Workflow* chosen = nullptr;
  for (const ir::Workflow& w : m.workflows) {
    if (w.name.find('.') != std::string::npos) continue;  // imported
    candidates.push_back(&w);
    if (w.name == name) chosen = &w;
  }
  if (chosen == nullptr && name.empty() && candidates.size() == 1) chosen = candidates[0];
  if (chosen != nullptr) return chosen;
  std::string names;
  for (const ir::Workflow* w : candidates) names += (names.empty() ? "" : ", ") + w->name;
  if (name.empty()) {
    std::cerr << "flytec: error: '" << file << "' has "
              << (candidates.empty() ? "no workflows" : "several workflows: " + names)
              << (candidates.empty() ? "" : "; choose one with --workflow") << "\n";
  } else {
    std::cerr << "flytec: error: no workflow '" << name << "' in '" << file << "'"
              << (names.empty() ? "" : " (it has: " + names + ")") << "\n";
  }
  return nullptr;
}

passes::PipelineResult run_passes(ParsedInputs& in, ir::Module& m,
                                  const passes::PipelineOptions& options) {
  passes::PassContext ctx(in.diags, in.sm, options);
  return passes::run_pipeline(m, ctx, std::cout, std::cerr);
}

std::vector<VerifyInput> plan_comments(ParsedInputs& in, const ir::Module& plan) {
  std::vector<VerifyInput> out;
  for (const std::string& path : plan.files) {
    std::optional<FileId> id = in.sm.find(path);
    std::string error;
    if (!id) id = in.sm.load_file(path, error);
    if (!id) continue;  // its diagnostics have no excerpt either
    DiagnosticEngine scratch;
    LexOptions options;
    options.keep_comments = true;
    out.push_back({*id, lex(in.sm, *id, scratch, options).comments});
  }
  return out;
}

void print_diagnostics(const ParsedInputs& in, ColorMode color, size_t from) {
  bool use_color =
      color == ColorMode::Always || (color == ColorMode::Auto && want_color(STDERR_FILENO));
  const std::vector<Diagnostic>& all = in.diags.diagnostics();
  if (from == 0) {
    render_text(all, in.sm, std::cerr, use_color);
  } else if (from < all.size()) {
    render_text({all.begin() + static_cast<std::ptrdiff_t>(from), all.end()}, in.sm, std::cerr,
                use_color);
  }
  print_error_limit_reached(in, use_color);
}

void print_error_limit_reached(const ParsedInputs& in, bool color) {
  if (!in.diags.limit_reached()) return;
  std::cerr << (color ? "\033[1;31m" : "") << "fatal error:" << (color ? "\033[0m\033[1m" : "")
            << " too many errors emitted, stopping now [--error-limit=]" << (color ? "\033[0m" : "")
            << "\n";
}

}  // namespace flyte::driver
