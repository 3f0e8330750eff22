// The C++ tasks of a local executable: for each C++ file a module's `cpp(...)` tasks
// name, a translation unit that includes the file and adds one entry point per task
// (arguments from the runtime's JSON values to the function's types, the result back,
// registered with the runtime's CppRunner), compiled with the flags the file was checked
// with. Objects are cached by a hash of everything they are built from, so that
// `flytec build` recompiles only the C++ files that changed.
#pragma once

#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::local {

struct CppBuild {
  std::string cxx;                    // the compiler
  std::string extra_flags;            // the runtime's (sanitizers)
  std::vector<std::string> cpp_args;  // `--cpp-arg`
  std::string work_dir;               // for temporary files
  bool verbose = false;
};

/// Compiles (or takes from the cache) the object of every C++ file of `m`'s tasks and
/// appends their paths to `objects`. False with `error` when one cannot be built.
bool build_cpp_tasks(const ir::Module& m, const CppBuild& b, std::vector<std::string>& objects,
                     std::string& error);

/// The glue source for `tasks` (the tasks of one C++ file, at absolute path `file`,
/// shown as `display`), exposed for tests. Empty with `error` when a task's function
/// cannot be found.
std::string glue_source(const ir::Module& m, const std::vector<const ir::Task*>& tasks,
                        const std::string& file, const std::string& display,
                        const std::vector<std::string>& flags, std::string& error);

}  // namespace flyte::local
