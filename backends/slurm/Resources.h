// The mapping from a job's resources to sbatch options: `--cpus-per-task`, `--mem` (or
// `--mem-per-cpu`), `--gres=gpu[:MODEL]:N`, `--time` (every attempt's timeout with a
// margin), `--requeue --signal=B:USR1@SECONDS`, and `--partition`/`--account` only when
// given. Each option comes with the reason, for the script's comments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/slurm/Jobs.h"

namespace flyte::slurm {

/// Cluster settings given to `flytec build --target slurm`.
struct ClusterOptions {
  std::string partition;     // empty: the cluster's default partition
  std::string account;       // empty: none (never guessed)
  bool mem_per_cpu = false;  // memory as --mem-per-cpu instead of --mem
};

struct SbatchOption {
  std::string option;  // such as `--cpus-per-task=2`
  std::string why;     // such as `@resources(cpu = 2)`
};

/// The seconds before the time limit at which Slurm sends USR1 to a requeueable job.
inline constexpr int kSignalLeadSeconds = 60;

/// The options of a job asking for `r`, with `items` items run one after another (map
/// array tasks run several; the time limit covers them all).
std::vector<SbatchOption> resource_options(const JobResources& r, const ClusterOptions& c,
                                           int64_t items = 1);

/// The longest time limit Slurm takes: it reads `--time` into an int of minutes.
inline constexpr int64_t kMaxTimeSeconds = int64_t{INT32_MAX} * 60;

/// Every attempt's timeout plus a minute, for each of `items` items, in seconds; none
/// without a timeout or when above kMaxTimeSeconds.
std::optional<int64_t> time_limit_seconds(const JobResources& r, int64_t items = 1);

/// Checks that every job's time limit fits Slurm's (the map items' limit is checked per
/// item). False with `error` naming the task and the value.
bool check_time_limits(const JobGraph& g, std::string& error);

/// The time limit for `r` as sbatch spells it (`D-HH:MM:SS`), or empty for none: every
/// attempt's timeout plus a minute of backoff and start-up, for each of `items` items.
std::string time_limit(const JobResources& r, int64_t items = 1);

/// Megabytes, rounded up, of `bytes` (at least 1).
int64_t megabytes(int64_t bytes);

}  // namespace flyte::slurm
