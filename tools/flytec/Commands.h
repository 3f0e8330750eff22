// The flytec subcommands. Each registers its options on a CLI11 app and runs from them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "driver/Compile.h"

namespace flyte::driver {

/// Adds a subcommand; the returned function runs it after parsing.
using Runner = std::function<int()>;
Runner add_build_command(CLI::App& app);
Runner add_check_command(CLI::App& app);
Runner add_emit_command(CLI::App& app);
Runner add_explain_command(CLI::App& app);
Runner add_graph_command(CLI::App& app);
Runner add_run_command(CLI::App& app);

/// Adds `--error-limit=N` to a subcommand that prints diagnostics.
void add_error_limit_option(CLI::App* cmd, size_t& limit);

/// Adds `--cpp-arg=FLAG` (repeatable): flags for C++ task files.
void add_cpp_arg_option(CLI::App* cmd, std::vector<std::string>& args);

/// Checks a command's `-o` before anything is compiled: not empty, and not the input file
/// (through another path or a link: the same device and inode). On failure prints why
/// and returns kUsage, otherwise kOk.
int check_output_path(const std::string& input, const std::string& output);

/// Writes a command's output to `path`, or to standard output when it is "-"; a file is
/// replaced atomically, a device or FIFO written in place. On failure prints why and
/// returns kUsage, otherwise kOk.
int write_output(const std::string& path, std::string_view data);

/// Registers every backend built into flytec, once, before the commands run: the one
/// place that lists them (as LLVM's InitializeAllTargets).
void register_targets();

}  // namespace flyte::driver
