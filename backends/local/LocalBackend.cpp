// The `local` backend: native executables, built and run on this machine.
#include "backends/local/LocalBackend.h"

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "backends/local/Codegen.h"
#include "driver/Backend.h"
#include "ir/Serialize.h"

namespace flyte::local {
namespace {

class LocalBackend final : public driver::Backend {
 public:
  std::string_view name() const override { return "local"; }
  std::string_view summary() const override {
    return "a native executable for this machine, linked against the runtime";
  }

  bool build(const ir::Module& m, const driver::BackendRequest& request,
             std::string& error) const override {
    BuildOptions b;
    b.workflow = request.workflow;
    b.output = request.output;
    b.verbose = request.verbose;
    b.cpp_args = request.cpp_args;
    return build_executable(m, b, error);
  }

  bool run(const ir::Module& m, const driver::BackendRequest& request,
           const std::vector<std::string>& args, std::string& error) const override {
    // Executables are kept by what they are built from (the plan, the compiler's
    // version and the runtime): an unchanged workflow is not rebuilt, an upgraded
    // runtime is.
    std::string plan = ir::to_protobuf(m);
    for (const std::string& a : request.cpp_args) plan += "\n--cpp-arg=" + a;
    std::string name = std::filesystem::path(request.source).stem().string() + "-" +
                       request.workflow + "-" +
                       executable_key(plan, find_runtime_dir()).substr(0, 16);
    std::string exe = ".flyte/bin/" + name;
    if (!std::filesystem::exists(exe)) {
      driver::BackendRequest kept = request;
      kept.output = exe;
      if (!build(m, kept, error)) return false;
    }
    std::vector<std::string> owned = args;  // execv takes non-const strings
    std::vector<char*> argv;
    argv.push_back(exe.data());
    for (std::string& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    error = "cannot run '" + exe + "'";
    return false;
  }
};

}  // namespace

void register_backend() { driver::register_backend(std::make_unique<LocalBackend>()); }

}  // namespace flyte::local
