// `flytec emit FILE --format ast`: prints what was parsed.
#include <fstream>
#include <iostream>
#include <sstream>

#include "frontend/AstDump.h"
#include "ir/Printer.h"
#include "ir/Serialize.h"
#include "support/AtomicFile.h"
#include "tools/flytec/Commands.h"
#include "tools/flytec/Inputs.h"

namespace flyte::driver {
namespace {

struct EmitOptions {
  std::string file;
  std::string format = "ast";
  std::string output = "-";
  std::vector<std::string> include_dirs;
};

int run_emit(const EmitOptions& opts) {
  InputOptions input_options;
  input_options.semantic = opts.format != "ast";
  input_options.include_dirs = opts.include_dirs;
  auto in = parse_inputs({opts.file}, input_options);
  if (in->unreadable > 0) return kUsage;
  print_diagnostics(*in, ColorMode::Auto);
  if (in->diags.has_errors()) return kErrors;
  std::ostringstream text;
  LoadedInput& input = in->inputs.front();
  if (opts.format == "ast" && input.plan != nullptr) {
    std::cerr
        << "flytec: error: a compiled plan has no syntax tree; use --format text, json or pb\n";
    return kUsage;
  }
  if (opts.format == "ast") {
    dump_ast(*input.program->main()->ast, in->sm, text);
  } else {
    std::unique_ptr<ir::Module> module = lower_checked(*in, input);
    if (module == nullptr) return kUsage;
    if (opts.format == "text") ir::print_module(*module, text);
    if (opts.format == "json") text << ir::to_json(*module);
    if (opts.format == "pb") text << ir::to_protobuf(*module);
  }
  if (opts.output == "-") {
    std::cout << text.str();
    return kOk;
  }
  std::string error;
  if (!write_file_atomically(opts.output, text.str(), error)) {
    std::cerr << "flytec: error: cannot write '" << opts.output << "': " << error << '\n';
    return kUsage;
  }
  return kOk;
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
  cmd->add_option("-I", opts->include_dirs, "Also look for imported modules in DIR")
      ->type_name("DIR")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", opts->output, "Output file ('-' is standard output)")
      ->capture_default_str();
  return [opts] { return run_emit(*opts); };
}

}  // namespace flyte::driver
