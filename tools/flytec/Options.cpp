// Command-line options several subcommands share.
#include <sys/stat.h>

#include <iostream>

#include "support/OutputFile.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {

void add_error_limit_option(CLI::App* cmd, size_t& limit) {
  cmd->add_option("--error-limit", limit,
                  "Stop after this many errors (0: no limit), as clang's -ferror-limit")
      ->check(CLI::Range(0, 1000000000))
      ->type_name("N")
      ->capture_default_str();
}

void add_cpp_arg_option(CLI::App* cmd, std::vector<std::string>& args) {
  cmd->add_option("--cpp-arg", args,
                  "A flag for reading and compiling C++ task files, after those of a "
                  "compile_commands.json beside them (--cpp-arg=-DNDEBUG)")
      ->type_name("FLAG")
      ->allow_extra_args(false);
}

int check_output_path(const std::string& input, const std::string& output) {
  if (output.empty()) {
    std::cerr << "flytec: error: -o needs a path\n";
    return kUsage;
  }
  struct stat in, out;
  if (input != "-" && output != "-" && ::stat(input.c_str(), &in) == 0 &&
      ::stat(output.c_str(), &out) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
    std::cerr << "flytec: error: -o '" << output << "' is the input file"
              << (output == input ? "" : " '" + input + "'") << "; name another output\n";
    return kUsage;
  }
  return kOk;
}

int write_output(const std::string& path, std::string_view data) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    return kOk;
  }
  std::string error;
  if (!write_output_file(path, data, error)) {
    std::cerr << "flytec: error: cannot write '" << path << "': " << error << "\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace flyte::driver
