// `flytec build FILE [--target T] -o OUT` and `flytec run FILE -- ARGS`: compile a
// workflow and hand it to the backend registered for the target; run builds and runs in
// one step.
#include <iostream>
#include <map>
#include <utility>

#include "driver/Backend.h"
#include "driver/Compile.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {
namespace {

struct BuildOptions {
  std::string file;
  std::string workflow;
  std::string target = "local";
  std::string output;
  std::vector<std::string> include_dirs;
  std::vector<std::string> cpp_args;
  std::vector<std::string> args;           // run: the executable's arguments
  std::string partition;                   // slurm: --partition
  std::string account;                     // slurm: --account
  bool mem_per_cpu = false;                // slurm: memory as --mem-per-cpu
  std::map<std::string, std::string> k8s;  // k8s: --image, --storage, ... by name
  bool no_executable = false;              // k8s: manifests only, no bin/wf
  bool verbose = false;
  size_t error_limit = kDefaultErrorLimit;
};

// The target, the compiled module and the chosen workflow, shared by build and run; the
// problem was printed when any of them is missing.
struct Prepared {
  const Backend* backend = nullptr;
  Compilation compiled;
  BackendRequest request;
};

// The target options given, each with the one target it belongs to.
std::map<std::string, std::string> given_target_options(const BuildOptions& opts) {
  std::map<std::string, std::string> given;
  if (!opts.partition.empty()) given["partition"] = "slurm";
  if (!opts.account.empty()) given["account"] = "slurm";
  if (opts.mem_per_cpu) given["mem-per-cpu"] = "slurm";
  for (const auto& [name, value] : opts.k8s) given[name] = "k8s";
  if (opts.no_executable) given["no-executable"] = "k8s";
  return given;
}

int prepare(const BuildOptions& opts, Prepared& p) {
  p.backend = find_backend(opts.target);
  if (p.backend == nullptr) {
    std::cerr << "flytec: error: " << unavailable_target_message(opts.target) << "\n";
    return kUsage;
  }
  // A flag of another target is a mistake (a forgotten --target), not something to drop.
  for (const auto& [name, target] : given_target_options(opts)) {
    if (target != opts.target) {
      std::cerr << "flytec: error: --" << name << " applies to --target " << target
                << ", not to --target " << opts.target << "\n";
      return kUsage;
    }
  }
  CompileOptions c;
  c.include_dirs = opts.include_dirs;
  c.cpp_args = opts.cpp_args;
  c.error_limit = opts.error_limit;
  p.compiled = compile(opts.file, c);
  if (p.compiled.module == nullptr) return p.compiled.status;
  const ir::Workflow* w = choose_workflow(*p.compiled.module, opts.workflow, opts.file);
  if (w == nullptr) return kUsage;
  p.request = {opts.file, w->name, opts.output, opts.verbose, {}, opts.cpp_args};
  if (!opts.partition.empty()) p.request.target_options["partition"] = opts.partition;
  if (!opts.account.empty()) p.request.target_options["account"] = opts.account;
  if (opts.mem_per_cpu) p.request.target_options["mem-per-cpu"] = "1";
  for (const auto& [name, value] : opts.k8s) p.request.target_options[name] = value;
  if (opts.no_executable) p.request.target_options["no-executable"] = "1";
  return kOk;
}

int run_build(const BuildOptions& opts) {
  if (int rc = check_output_path(opts.file, opts.output); rc != kOk) return rc;
  Prepared p;
  if (int rc = prepare(opts, p); rc != kOk) return rc;
  std::string error;
  if (!p.backend->build(*p.compiled.module, p.request, error)) {
    std::cerr << "flytec: error: " << error << "\n";
    return kUsage;
  }
  return kOk;
}

int run_run(const BuildOptions& opts) {
  Prepared p;
  if (int rc = prepare(opts, p); rc != kOk) return rc;
  std::string error;
  p.backend->run(*p.compiled.module, p.request, opts.args, error);
  std::cerr << "flytec: error: " << error << "\n";
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
  add_cpp_arg_option(cmd, opts.cpp_args);
  cmd->add_flag("-v,--verbose", opts.verbose, "Print the C++ compiler's command line");
  add_error_limit_option(cmd, opts.error_limit);
}

}  // namespace

Runner add_build_command(CLI::App& app) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* cmd =
      app.add_subcommand("build", "Compile a workflow into a native executable that runs it");
  add_common(cmd, *opts);
  cmd->add_option("--target", opts->target, "What to build for (a registered target)")
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output,
                  "The executable (or, for slurm and k8s, folder) to write")
      ->required();
  cmd->add_option("--partition", opts->partition, "slurm: the partition jobs are submitted to");
  cmd->add_option("--account", opts->account, "slurm: the account jobs are charged to");
  cmd->add_flag("--mem-per-cpu", opts->mem_per_cpu, "slurm: ask memory per CPU, not per job");
  const std::pair<const char*, const char*> k8s_options[] = {
      {"--image", "k8s: the Dockerfile's base image (default debian:bookworm-slim)"},
      {"--image-name", "k8s: the image the pods run (default flytec-WORKFLOW:latest)"},
      {"--storage", "k8s: the store: pvc (default), pvc:NAME or artifacts"},
      {"--gpu-label", "k8s: the node label of the GPU model (default nvidia.com/gpu.product)"},
      {"--spot-taint", "k8s: the taint key of spot node pools (default flytec.io/spot)"},
      {"--manifest-budget", "k8s: the largest manifest, in bytes (default 1000000)"},
  };
  for (const auto& [flag, help] : k8s_options) {
    std::string name = std::string(flag).substr(2);
    cmd->add_option_function<std::string>(
        flag, [opts, name](const std::string& v) { opts->k8s[name] = v; }, help);
  }
  cmd->add_flag("--no-executable", opts->no_executable,
                "k8s: write the manifests and Dockerfile only, not bin/wf");
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
