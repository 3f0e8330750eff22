// flytec: the driver. Thin glue over the libraries; each subcommand lives in its own file.
#include <CLI/CLI.hpp>
#include <iostream>

#include "stdlib/Locate.h"
#include "support/Version.h"
#include "tools/flytec/Commands.h"

namespace {

int run(int argc, char** argv) {
  using namespace flyte::driver;
  CLI::App app{"flytec: an ahead-of-time compiler for .flyte workflows", "flytec"};
  app.require_subcommand(1);
  app.fallthrough(false);
  bool version = false;
  app.add_flag("--version", version, "Print the version and where the standard library is");
  // --version must work without a subcommand.
  app.require_subcommand(0, 1);

  register_targets();
  Runner build = add_build_command(app);
  Runner check = add_check_command(app);
  Runner emit = add_emit_command(app);
  Runner explain = add_explain_command(app);
  Runner graph = add_graph_command(app);
  Runner run_cmd = add_run_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "flytec: error: " << e.what() << "\n";
    // The subcommand the error is about, when one was named: its help is the useful one.
    std::string command;
    for (const CLI::App* sub : app.get_subcommands()) command = " " + sub->get_name();
    std::cerr << "Run 'flytec" << command << " --help' for usage.\n";
    return kUsage;
  }
  if (version) {
    std::cout << "flytec " << flyte::kFlytecVersion << "\n";
    auto dir = flyte::find_stdlib_dir();
    std::cout << "stdlib: " << (dir ? *dir : std::string("(not found)")) << "\n";
    return kOk;
  }
  if (app.got_subcommand("build")) return build();
  if (app.got_subcommand("check")) return check();
  if (app.got_subcommand("run")) return run_cmd();
  if (app.got_subcommand("emit")) return emit();
  if (app.got_subcommand("explain")) return explain();
  if (app.got_subcommand("graph")) return graph();
  std::cerr << "flytec: error: no command given\n" << app.help();
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Libraries report user errors as diagnostics; anything thrown here is a bug or a
  // resource failure (out of memory). Say so and exit 2 rather than abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "flytec: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "flytec: internal error\n";
  }
  return 2;
}
