// The flytec subcommands. Each registers its options on a CLI11 app and runs from them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace flyte::driver {

/// Exit codes shared by every subcommand (DESIGN.md, "Command line").
enum ExitCode : int { kOk = 0, kErrors = 1, kUsage = 2 };

/// Adds a subcommand; the returned function runs it after parsing.
using Runner = std::function<int()>;
Runner add_build_command(CLI::App& app);
Runner add_check_command(CLI::App& app);
Runner add_emit_command(CLI::App& app);
Runner add_explain_command(CLI::App& app);
Runner add_graph_command(CLI::App& app);
Runner add_run_command(CLI::App& app);

}  // namespace flyte::driver
