// `flytec check FILE…`: parses and checks files and reports diagnostics (exit 0, 1 or 2).
#include <iostream>
#include <map>

#include "frontend/DiagnosticRender.h"
#include "frontend/Verify.h"
#include "tools/flytec/Commands.h"
#include "tools/flytec/Inputs.h"

namespace flyte::driver {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string color = "auto";
  bool verify = false;
  std::vector<std::string> warnings;
  bool no_warnings = false;
};

int run_check(const CheckOptions& opts) {
  ParseOptions parse_options;
  parse_options.keep_comments = opts.verify;
  auto in = parse_inputs(opts.files, parse_options);
  bool werror = false;
  for (const std::string& w : opts.warnings) werror |= w == "error";
  // Warning policy is applied after the fact so that every phase reports plainly.
  DiagnosticEngine filtered;
  filtered.set_warnings_as_errors(werror && !opts.verify);
  filtered.set_ignore_warnings(opts.no_warnings);
  for (const Diagnostic& d : in->diags.diagnostics()) {
    Diagnostic& copy = filtered.report(d.code, d.range, d.message);
    copy.notes = d.notes;
  }
  in->diags = std::move(filtered);

  if (opts.verify) {
    std::vector<VerifyInput> inputs;
    for (const ParseResult& r : in->files) inputs.push_back({r.file->file, r.comments});
    bool ok = verify_diagnostics(in->sm, inputs, in->diags.diagnostics(), std::cerr);
    if (in->unreadable > 0) return kUsage;
    return ok ? kOk : kErrors;
  }

  if (opts.format == "json") {
    std::cout << render_json(in->diags.diagnostics(), in->sm);
  } else if (opts.format == "sarif") {
    std::cout << render_sarif(in->diags.diagnostics(), in->sm);
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
  if (in->unreadable > 0) return kUsage;
  return in->diags.has_errors() ? kErrors : kOk;
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
  return [opts] { return run_check(*opts); };
}

}  // namespace flyte::driver
