// `flytec build FILE -o BIN` and `flytec run FILE -- ARGS`: compile a workflow into a
// native executable (backends/local), and build-then-run in one step.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "backends/local/Codegen.h"
#include "ir/Serialize.h"
#include "passes/PassManager.h"
#include "tools/flytec/Commands.h"
#include "tools/flytec/Inputs.h"

namespace flyte::driver {
namespace {

struct BuildOptions {
  std::string file;
  std::string workflow;
  std::string target = "local";
  std::string output;
  std::vector<std::string> include_dirs;
  std::vector<std::string> args;  // run: the executable's arguments
  bool verbose = false;
  size_t error_limit = kDefaultErrorLimit;
};

/// Checks, lowers and runs the pass pipeline; null (reported) on any problem.
std::unique_ptr<ir::Module> compile(const BuildOptions& opts, int& rc) {
  InputOptions input_options;
  input_options.include_dirs = opts.include_dirs;
  input_options.error_limit = opts.error_limit;
  auto in = parse_inputs({opts.file}, input_options);
  rc = kUsage;
  if (in->unreadable > 0) return nullptr;
  print_diagnostics(*in, ColorMode::Auto);
  rc = kErrors;
  if (in->diags.has_errors()) return nullptr;
  rc = kUsage;
  std::unique_ptr<ir::Module> module = lower_checked(*in, in->inputs.front());
  if (module == nullptr) return nullptr;
  size_t reported = in->diags.diagnostics().size();
  passes::PipelineResult r = run_passes(*in, *module, {});
  print_diagnostics(*in, ColorMode::Auto, reported);
  rc = kErrors;
  if (!r.ok) return nullptr;
  return module;
}

int run_build(const BuildOptions& opts) {
  if (opts.target != "local") {
    std::cerr << "flytec: error: the '" << opts.target
              << "' target is not available in this build; use --target local\n";
    return kUsage;
  }
  int rc = 0;
  std::unique_ptr<ir::Module> module = compile(opts, rc);
  if (module == nullptr) return rc;
  const ir::Workflow* w = choose_workflow(*module, opts.workflow, opts.file);
  if (w == nullptr) return kUsage;
  local::BuildOptions b;
  b.workflow = w->name;
  b.output = opts.output;
  b.verbose = opts.verbose;
  std::string error;
  if (!local::build_executable(*module, b, error)) {
    std::cerr << "flytec: error: " << error << "\n";
    return kUsage;
  }
  return kOk;
}

int run_run(BuildOptions opts) {
  int rc = 0;
  std::unique_ptr<ir::Module> module = compile(opts, rc);
  if (module == nullptr) return rc;
  const ir::Workflow* w = choose_workflow(*module, opts.workflow, opts.file);
  if (w == nullptr) return kUsage;
  // Executables are kept by what they are built from (the plan, the compiler's version
  // and the runtime): an unchanged workflow is not rebuilt, an upgraded runtime is.
  std::string plan = ir::to_protobuf(*module);
  std::string name = std::filesystem::path(opts.file).stem().string() + "-" + w->name + "-" +
                     local::executable_key(plan, local::find_runtime_dir()).substr(0, 16);
  std::string exe = ".flyte/bin/" + name;
  if (!std::filesystem::exists(exe)) {
    local::BuildOptions b;
    b.workflow = w->name;
    b.output = exe;
    b.verbose = opts.verbose;
    std::string error;
    if (!local::build_executable(*module, b, error)) {
      std::cerr << "flytec: error: " << error << "\n";
      return kUsage;
    }
  }
  std::vector<char*> argv;
  argv.push_back(exe.data());
  for (std::string& a : opts.args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(exe.c_str(), argv.data());
  std::cerr << "flytec: error: cannot run '" << exe << "'\n";
  return kUsage;
}

void add_common(CLI::App* cmd, BuildOptions& opts) {
  cmd->add_option("file", opts.file, "The .flyte file (or a .pb or .fir plan)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--workflow", opts.workflow,
                  "The workflow to build (needed when the file has several)");
  cmd->add_option("-I", opts.include_dirs, "Also look for imported modules in DIR")
      ->type_name("DIR")
      ->allow_extra_args(false);
  cmd->add_flag("-v,--verbose", opts.verbose, "Print the C++ compiler's command line");
  add_error_limit_option(cmd, opts.error_limit);
}

}  // namespace

Runner add_build_command(CLI::App& app) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* cmd =
      app.add_subcommand("build", "Compile a workflow into a native executable that runs it");
  add_common(cmd, *opts);
  cmd->add_option("--target", opts->target, "What to build for")
      ->check(CLI::IsMember({"local", "slurm", "k8s"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "The executable to write")->required();
  return [opts] { return run_build(*opts); };
}

Runner add_run_command(CLI::App& app) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Build a workflow (kept in .flyte/bin) and run it: flytec run FILE -- ARGS");
  add_common(cmd, *opts);
  cmd->add_option("args", opts->args, "Arguments for the executable, after --");
  return [opts] { return run_run(*opts); };
}

}  // namespace flyte::driver
