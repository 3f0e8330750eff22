// `flytec check FILE…`: parses and checks files and reports diagnostics (exit 0, 1 or 2).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "driver/Inputs.h"
#include "ir/diag/DiagnosticRender.h"
#include "ir/diag/Verify.h"
#include "passes/PassManager.h"
#include "support/Sanitizers.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string color = "auto";
  bool verify = false;
  std::vector<std::string> warnings;
  bool no_warnings = false;
  std::vector<std::string> include_dirs;
  std::vector<std::string> cpp_args;
  bool parse_only = false;
  size_t error_limit = kDefaultErrorLimit;
  bool error_limit_given = false;
};

int run_check(const CheckOptions& opts) {
  for (const std::string& dir : opts.include_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      std::cerr << "flytec: error: include directory '" << dir << "' does not exist\n";
      return kUsage;
    }
  }
  InputOptions input_options;
  input_options.keep_comments = opts.verify;
  input_options.include_dirs = opts.include_dirs;
  input_options.cpp_args = opts.cpp_args;
  input_options.semantic = !opts.parse_only;
  bool werror = false;
  for (const std::string& w : opts.warnings) werror |= w == "error";
  input_options.warnings_as_errors = werror && !opts.verify;
  input_options.ignore_warnings = opts.no_warnings;
  // --verify compares every diagnostic with its expectation: no limit unless asked.
  input_options.error_limit = opts.verify && !opts.error_limit_given ? 0 : opts.error_limit;
  auto in = parse_inputs(opts.files, input_options);

  // The analysis passes (validate-dag) over every plan, and over every source file once
  // the whole input checks clean, report to the same engine: what they find is shown,
  // rendered and verified like the checker's own diagnostics.
  bool internal_error = false;
  std::vector<std::unique_ptr<ir::Module>> modules;
  if (!opts.parse_only) {
    bool sources_clean = !in->diags.has_errors();
    passes::PipelineOptions analyses;
    analyses.analysis_only = true;
    for (LoadedInput& input : in->inputs) {
      if (input.plan == nullptr && !sources_clean) continue;
      bool is_plan = input.plan != nullptr;
      std::unique_ptr<ir::Module> module = lower_checked(*in, input);
      if (module == nullptr) {
        internal_error = true;
        continue;
      }
      passes::PipelineResult r = run_passes(*in, *module, analyses);
      internal_error |= r.verify_failed;
      if (is_plan && opts.verify) input.plan_sources = plan_comments(*in, *module);
      modules.push_back(std::move(module));
    }
    in->diags.sort();
  }

  if (opts.verify) {
    std::vector<VerifyInput> inputs;
    // Expectations may stand in the checked files and in the modules they import,
    // except the standard library.
    std::vector<FileId> seen;
    for (const LoadedInput& input : in->inputs) {
      // A compiled plan has no comments, but the sources its ranges name may.
      for (const VerifyInput& source : input.plan_sources) {
        if (std::find(seen.begin(), seen.end(), source.file) != seen.end()) continue;
        seen.push_back(source.file);
        inputs.push_back(source);
      }
      if (input.program == nullptr) continue;
      for (const auto& m : input.program->modules) {
        if (m->is_stdlib || std::find(seen.begin(), seen.end(), m->file) != seen.end()) continue;
        seen.push_back(m->file);
        inputs.push_back({m->file, m->comments});
      }
    }
    bool ok = verify_diagnostics(in->sm, inputs, in->diags.diagnostics(), std::cerr);
    if (in->unreadable > 0 || internal_error) return kUsage;
    return ok ? kOk : kErrors;
  }

  if (opts.format == "json") {
    std::cout << render_json(in->diags.diagnostics(), in->sm);
    print_error_limit_reached(*in, false);
  } else if (opts.format == "sarif") {
    std::cout << render_sarif(in->diags.diagnostics(), in->sm);
    print_error_limit_reached(*in, false);
  } else {
    ColorMode color = opts.color == "always"  ? ColorMode::Always
                      : opts.color == "never" ? ColorMode::Never
                                              : ColorMode::Auto;
    print_diagnostics(*in, color);
    size_t errors = in->diags.error_count();
    size_t warnings = in->diags.warning_count();
    if (errors + warnings > 0) {
      std::cerr << errors << (errors == 1 ? " error" : " errors") << " and " << warnings
                << (warnings == 1 ? " warning" : " warnings") << " generated.\n";
    }
  }
  int status = in->unreadable > 0 || internal_error ? kUsage
               : in->diags.has_errors()             ? kErrors
                                                    : kOk;
  // Like clang's -disable-free: the process is about to exit, and tearing down every
  // AST node and table one by one would only cost time. Sanitizer builds free
  // everything, so that leak checking stays meaningful.
#if !FLYTEC_SANITIZED
  (void)in.release();
  for (auto& m : modules) (void)m.release();
#endif
  return status;
}

}  // namespace

Runner add_check_command(CLI::App& app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Parse and check .flyte files; exit 0 when clean, 1 on errors, 2 on usage errors");
  cmd->add_option("files", opts->files, "Files to check ('-' reads standard input)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--diagnostics", opts->format, "Diagnostic format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  cmd->add_option("--color", opts->color, "Colour text diagnostics")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_flag("--verify", opts->verify,
                "Check diagnostics against '// expected-error {{E0001}}' comments in the files");
  cmd->add_option("-W", opts->warnings, "Warning options: -Werror makes warnings errors")
      ->check(CLI::IsMember({"error"}))
      ->type_name("OPT")
      ->allow_extra_args(false);
  cmd->add_flag("-w", opts->no_warnings, "Do not report warnings");
  CLI::Option* limit = cmd->add_option("--error-limit", opts->error_limit,
                                       "Stop after this many errors (0: no limit), as clang's "
                                       "-ferror-limit; --verify has no limit unless given")
                           ->check(CLI::Range(0, 1000000000))
                           ->type_name("N")
                           ->capture_default_str();
  cmd->add_flag("--parse-only", opts->parse_only,
                "Check syntax only: do not resolve imports or check types");
  cmd->add_option("-I", opts->include_dirs,
                  "Also look for imported modules in DIR (after the main file's directory)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  add_cpp_arg_option(cmd, opts->cpp_args);
  return [opts, limit] {
    opts->error_limit_given = limit->count() > 0;
    return run_check(*opts);
  };
}

}  // namespace flyte::driver
