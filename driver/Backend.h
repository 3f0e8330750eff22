// Backends as plug-ins, in the manner of LLVM's TargetRegistry: each backend registers
// itself once (`register_backend`), and commands look a target up by the name given to
// `--target`, never naming one themselves.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/Ir.h"

namespace flyte::driver {

/// What a command asks of a backend, such as "workflow `etl` of `etl.flyte` into `out/`".
struct BackendRequest {
  std::string source;    // the input file, as given (names kept executables)
  std::string workflow;  // the workflow to build, already chosen
  std::string output;    // where to write what the target runs
  bool verbose = false;  // print the commands run (the C++ compiler's)
  /// Settings for one target, by name, such as `partition` = `gpu` for slurm (from
  /// `--partition gpu`); a backend reads those it knows.
  std::map<std::string, std::string> target_options;
  std::vector<std::string> cpp_args;  // `--cpp-arg`: flags for C++ task files
};

/// One target: turns a compiled module into what runs there.
class Backend {
 public:
  virtual ~Backend() = default;
  /// The name `--target` takes, such as `local`.
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  /// Writes what the target runs for the request's workflow of `m`. False with `error`.
  virtual bool build(const ir::Module& m, const BackendRequest& request,
                     std::string& error) const = 0;
  /// Builds (or reuses) and runs the workflow here with `args`, in place of this process.
  /// Returns only on failure, with `error`. Targets that cannot run here say so.
  virtual bool run(const ir::Module& m, const BackendRequest& request,
                   const std::vector<std::string>& args, std::string& error) const;
};

/// Adds `backend` to the registry; a name registered twice keeps the first.
void register_backend(std::unique_ptr<Backend> backend);
/// The backend registered as `name`, or null.
const Backend* find_backend(std::string_view name);
/// The registered targets' names, in registration order, such as "local".
std::vector<std::string> registered_backends();
/// "the 'slurm' target is not available in this build; use --target local (registered
/// targets: local)", for a name nothing registered.
std::string unavailable_target_message(std::string_view name);

}  // namespace flyte::driver
