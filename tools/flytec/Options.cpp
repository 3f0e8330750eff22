// Command-line options several subcommands share.
#include "tools/flytec/Commands.h"

namespace flyte::driver {

void add_error_limit_option(CLI::App* cmd, size_t& limit) {
  cmd->add_option("--error-limit", limit,
                  "Stop after this many errors (0: no limit), as clang's -ferror-limit")
      ->check(CLI::Range(0, 1000000000))
      ->type_name("N")
      ->capture_default_str();
}

}  // namespace flyte::driver
