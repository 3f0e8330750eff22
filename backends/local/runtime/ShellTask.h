// One attempt of a shell task (LANGUAGE.md 4.1): placeholders substituted and quoted,
// a fresh working directory, the FLYTE_* environment, logs to files, and the outputs
// read back and checked against the task's types.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

struct AttemptSpec {
  const ir::Module* module = nullptr;
  const ir::Task* task = nullptr;
  Value args;  // object: parameter name -> value, defaults applied
  std::string run_id;
  std::string node_key;        // FLYTE_NODE
  int attempt = 1;             // FLYTE_ATTEMPT, from 1
  std::string attempt_dir;     // fresh: work/, checkpoint/, stdout.log, stderr.log, in.*, out.*
  std::string checkpoint_dir;  // FLYTE_CHECKPOINT_DIR (created)
  std::string prev_checkpoint_dir;  // FLYTE_PREV_CHECKPOINT_DIR, or ""
  std::string node_dir;             // where outputs are moved on success
  std::optional<double> timeout_s;
  std::optional<std::string> visible_gpus;  // CUDA_VISIBLE_DEVICES for a GPU task
};

struct AttemptResult {
  enum class Status { Ok, Failed, TimedOut, Cancelled } status = Status::Failed;
  Value outputs;      // object: output name -> value (paths under node_dir)
  std::string error;  // what went wrong, in one line
  std::string log;    // the stderr log's path, for the tail shown on failure
};

/// Runs one attempt of `spec.task`, whose runner is `shell`.
AttemptResult run_shell_attempt(const AttemptSpec& spec, const std::atomic<bool>& cancel);

/// The command with every placeholder replaced: quoted input values (a non-scalar input
/// is written as `in.<name>.json` in `attempt_dir` and passed as its path) and output
/// paths (`out.<name>` there). nullopt with `error` (naming the file; "the disk is full")
/// when an input file cannot be written. Exposed for tests.
std::optional<std::string> render_command(const ir::Module& m, const ir::Task& t, const Value& args,
                                          const std::string& attempt_dir, std::string& error);

}  // namespace flyte::rt
