// The node mode of an executable: the entry point through which the Slurm and Kubernetes
// backends run one node per job against a shared store (NodeStore.h). `--store DIR` with
// `--init`, `--run-node KEY [--item I]`, `--map-length KEY`, `--branch-arm KEY`, `--status [KEY]`,
// `--collect`; `--digest-out FILE` with --init and --run-node; and `--list-nodes`, which needs no
// store. docs/runtime.md, "The node mode", is the contract.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

struct NodeModeOptions {
  std::string store;
  bool init = false;
  std::string run_node;
  std::optional<int64_t> item;
  std::string map_length;
  std::string branch_arm;
  std::string status;  // a key, or "" for every node
  bool status_given = false;
  bool collect = false;
  bool list_nodes = false;
  std::string format = "text";
  double wait_upstream_s = 30;
  /// With --init or --run-node: where to write, once it succeeded, a digest of what it
  /// recorded (the inputs, or the node's value with its files' contents), for the
  /// Kubernetes backend's memoization keys.
  std::string digest_out;
};

/// Adds the node mode's flags to the executable's command line.
void add_node_mode_options(CLI::App& app, NodeModeOptions& o);

/// True when the command line (parsed) asks for the node mode; completes `o`.
bool node_mode_requested(const CLI::App& app, NodeModeOptions& o);

/// What the node mode takes from the executable's own command line and plan.
struct NodeModeContext {
  const ir::Module* module = nullptr;
  uint32_t workflow = 0;
  std::string plan_hash;
  std::string cache_dir;  // empty: no cache
  bool overwrite_cache = false;
  std::string events;  // empty: `<store>/events.jsonl`
  double retry_backoff_s = 1.0;
  /// The workflow's inputs from the input flags and --inputs, checked; nullopt with the
  /// exit code in `rc` (the message printed) when they are bad.
  std::function<std::optional<Value>(int& rc)> gather_inputs;
  /// Whether input flags or --inputs were given.
  bool inputs_given = false;
};

/// Runs the node mode; returns the exit code.
int run_node_mode(const NodeModeContext& ctx, const NodeModeOptions& o);

}  // namespace flyte::rt
