// `flytec emit FILE --format ast`: prints what was parsed.
#include <fstream>
#include <iostream>
#include <sstream>

#include "driver/Compile.h"
#include "frontend/AstDump.h"
#include "ir/Printer.h"
#include "ir/Serialize.h"
#include "passes/PassManager.h"
#include "support/AtomicFile.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {
namespace {

struct EmitOptions {
  std::string file;
  std::string format = "ast";
  std::string output = "-";
  std::vector<std::string> include_dirs;
  std::vector<std::string> cpp_args;
  size_t error_limit = kDefaultErrorLimit;
  passes::PipelineOptions pipeline;
};

// Pass names given on the command line must exist.
bool check_pass_names(const EmitOptions& opts) {
  std::vector<std::string> names = opts.pipeline.print_ir_after;
  if (!opts.pipeline.stop_after.empty()) names.push_back(opts.pipeline.stop_after);
  for (const std::string& n : names) {
    if (n == "all" || passes::is_registered(n)) continue;
    std::string known;
    for (const auto& [name, summary] : passes::registered_passes())
      known += (known.empty() ? "" : ", ") + name;
    std::cerr << "flytec: error: unknown pass '" << n << "' (passes: " << known << ")\n";
    return false;
  }
  return true;
}

// The syntax tree of a .flyte file (parsed only), or why a plan has none.
int emit_ast(const EmitOptions& opts, std::ostream& text) {
  InputOptions input_options;
  input_options.semantic = false;
  input_options.include_dirs = opts.include_dirs;
  input_options.error_limit = opts.error_limit;
  auto in = parse_inputs({opts.file}, input_options);
  if (in->unreadable > 0) return kUsage;
  print_diagnostics(*in, ColorMode::Auto);
  if (in->diags.has_errors()) return kErrors;
  LoadedInput& input = in->inputs.front();
  if (input.plan != nullptr) {
    std::cerr
        << "flytec: error: a compiled plan has no syntax tree; use --format text, json or pb\n";
    return kUsage;
  }
  dump_ast(*input.program->main()->ast, in->sm, text);
  return kOk;
}

int run_emit(const EmitOptions& opts) {
  if (!check_pass_names(opts)) return kUsage;
  if (int rc = check_output_path(opts.file, opts.output); rc != kOk) return rc;
  std::ostringstream text;
  if (opts.format == "ast") {
    if (int rc = emit_ast(opts, text); rc != kOk) return rc;
  } else {
    CompileOptions c;
    c.include_dirs = opts.include_dirs;
    c.cpp_args = opts.cpp_args;
    c.error_limit = opts.error_limit;
    c.pipeline = opts.pipeline;
    Compilation compiled = compile(opts.file, c);
    if (compiled.module == nullptr) return compiled.status;
    const ir::Module& module = *compiled.module;
    if (opts.format == "text") ir::print_module(module, text);
    if (opts.format == "json") text << ir::to_json(module);
    if (opts.format == "pb") text << ir::to_protobuf(module);
  }
  return write_output(opts.output, text.str());
}

}  // namespace

Runner add_emit_command(CLI::App& app) {
  auto opts = std::make_shared<EmitOptions>();
  CLI::App* cmd = app.add_subcommand("emit", "Print a compiled form of a .flyte file");
  cmd->add_option("file", opts->file, "The .flyte file ('-' reads standard input)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--format", opts->format,
                  "What to print: 'ast' is the syntax tree; 'text', 'json' and 'pb' (protobuf, "
                  "ir/flyte_ir.proto) are the checked workflow IR")
      ->check(CLI::IsMember({"ast", "text", "json", "pb"}))
      ->capture_default_str();
  cmd->add_option("--print-ir-after", opts->pipeline.print_ir_after,
                  "Print the IR after the named pass ('all': after every pass)")
      ->type_name("PASS");
  cmd->add_option("--stop-after", opts->pipeline.stop_after, "Stop the pipeline after this pass")
      ->type_name("PASS");
  cmd->add_flag("--time-passes", opts->pipeline.time_passes,
                "Report each pass's time and statistics on stderr");
  cmd->add_flag("--verify-each", opts->pipeline.verify_each, "Verify the IR after every pass");
  cmd->add_option("-I", opts->include_dirs, "Also look for imported modules in DIR")
      ->type_name("DIR")
      ->allow_extra_args(false);
  add_cpp_arg_option(cmd, opts->cpp_args);
  cmd->add_option("-o,--output", opts->output, "Output file ('-' is standard output)")
      ->capture_default_str();
  add_error_limit_option(cmd, opts->error_limit);
  return [opts] { return run_emit(*opts); };
}

}  // namespace flyte::driver
