// `flytec build --target local`: writes a small C++ main that embeds the compiled plan
// (protobuf bytes, through the assembler's .incbin, so that plans of any size compile in
// the same time) and compiles it against the runtime library.
#pragma once

#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::local {

struct BuildOptions {
  std::string workflow;     // the workflow the executable runs
  std::string output;       // the executable's path; replaced atomically
  std::string cxx;          // the compiler: empty means $CXX, else clang++, else c++
  std::string runtime_dir;  // where libflyte_runtime.a and its companions are; empty: found
  bool verbose = false;     // print the compiler command
  std::vector<std::string> cpp_args;  // `--cpp-arg`: flags for C++ task files
};

/// Builds the executable. False with `error` (the compiler's own messages included) when
/// it cannot.
bool build_executable(const ir::Module& m, const BuildOptions& options, std::string& error);

/// The directory of the runtime libraries: $FLYTEC_RUNTIME_DIR, else `../lib/flytec`
/// beside the flytec binary (in the build tree and once installed).
std::string find_runtime_dir();

/// What an executable of `plan` (protobuf bytes) would be built from, as 32 hex digits:
/// XXH3 of the plan, the runtime's compiler and flags and the contents of the runtime
/// archives in `runtime_dir`, so that an executable kept by `flytec run` is reused only
/// while none of them changed (an upgraded runtime builds anew).
std::string executable_key(const std::string& plan, const std::string& runtime_dir);

}  // namespace flyte::local
