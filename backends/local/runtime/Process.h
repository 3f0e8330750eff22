// Running one shell command as a child process: its own process group (so a timeout or
// a cancellation kills everything it started), a working directory, extra environment,
// stdout and stderr to log files. Commands die with the process that started them: the
// shell has PR_SET_PDEATHSIG, and a guardian process SIGKILLs the process groups of
// commands still running when this process is gone, even after a kill -9.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flyte::rt {

/// `s` as one POSIX shell word, as Python's shlex.quote does: returned unchanged when it
/// is non-empty and made only of `[A-Za-z0-9@%+=:,./_-]`, otherwise in single quotes
/// with each `'` written as `'"'"'`. No value can inject shell syntax.
std::string shell_quote(std::string_view s);

struct ProcessSpec {
  std::string command;              // run by `/bin/sh -c`
  std::string workdir;              // must exist
  std::vector<std::string> env;     // `KEY=VALUE`, added to (or replacing in) the environment
  std::string stdout_path;          // created or truncated
  std::string stderr_path;          // created or truncated
  std::optional<double> timeout_s;  // kill the whole process group after this long
};

struct ProcessResult {
  enum class Status {
    Exited,
    Signaled,
    TimedOut,
    Cancelled,
    SpawnFailed
  } status = Status::SpawnFailed;
  int code = 0;        // exit status (Exited) or signal number (Signaled)
  std::string error;   // SpawnFailed: why
  double seconds = 0;  // wall time
};

/// Runs `spec` and waits for it. When `cancel` becomes true (checked at least every
/// 50 ms), or the timeout passes, the process group gets SIGTERM, then SIGKILL after a
/// grace period of `grace_s` seconds. Safe to call from many threads at once.
ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>& cancel,
                          double grace_s = 2.0);

/// SIGKILLs the process groups of every command run_process has started and not yet
/// reaped: for an exit that cannot wait for them (a second Ctrl-C).
void kill_running_processes();

/// For a checkpoint-and-requeue stop (the node mode's SIGUSR1): sends `sig` to the process
/// group of every command now running, and from now on reports every command that ends
/// (or would start) as Cancelled rather than by its exit status, so that the attempt is
/// not counted as a failure.
void stop_for_checkpoint(int sig);

/// How many commands run_process is running now.
size_t running_process_count();

/// SIGKILLs every process (other than this one and its ancestors) with an environment
/// entry that starts with `env_prefix` (`FLYTE_CHECKPOINT_DIR=<run path>/`, which only
/// the tasks of that run have): what a dead process of that run left running. Returns
/// how many were killed, once they are gone (or after a second).
int kill_leftover_processes(const std::string& env_prefix);

/// The last `n` lines of the file at `path` (at most 64 KiB read), or "" when it cannot
/// be read.
std::string tail_lines(const std::string& path, size_t n);

}  // namespace flyte::rt
