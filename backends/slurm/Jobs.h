// The Slurm jobs of one workflow: which nodes of the plan become jobs, what each waits
// for, and what it asks of the cluster. Only nodes of the workflow's own body are jobs:
// a task node is one job; a sub-workflow, branch or fail node is one job that runs it
// in-process (`wf --run-node KEY`); a map is a launcher job, a job array of its items
// and a gather job. Expression nodes are never jobs: a job waits for the jobs behind the
// expressions it reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::slurm {

/// What one job (or, for a map, one item) asks for, from the nodes' resolved attributes.
struct JobResources {
  int64_t cpus = 1;
  int64_t mem_bytes = 0;  // 0: the cluster's default
  int64_t gpus = 0;
  std::string gpu_model;  // such as `A100`, or empty
  int64_t retries = 0;
  std::optional<double> timeout_s;  // one attempt's limit; none: the cluster's default
  bool interruptible = false;
  std::optional<double> checkpoint_every_s;
  /// Requeued on USR1 (interruptible or checkpointed).
  bool requeue() const { return interruptible || checkpoint_every_s.has_value(); }
};

struct Job {
  enum class Kind : uint8_t { Task, InProcess, Map } kind = Kind::Task;
  std::string key;    // the node key, such as `n3`
  std::string label;  // what it runs: the task's name, `branch`, a workflow's name, `map`
  /// The script's stem and the job name's tail, such as `n3.train`: [A-Za-z0-9._-].
  std::string name;
  /// Indices into JobGraph::jobs of the jobs this one waits for (each once, ascending).
  std::vector<uint32_t> after;
  JobResources resources;              // Map: one item's
  std::optional<int64_t> concurrency;  // Map: `@concurrency`
  std::optional<double> min_success;   // Map: `@min_success`
};

struct JobGraph {
  std::string workflow;
  ir::FailurePolicy failure_policy = ir::FailurePolicy::FailFast;
  /// In topological order: each job after the jobs it waits for.
  std::vector<Job> jobs;
};

/// The jobs of workflow `w` of `m`.
JobGraph build_job_graph(const ir::Module& m, const ir::Workflow& w);

/// `text` with every character outside [A-Za-z0-9._-] replaced by `_`, such as
/// `std_ml.accuracy` for `std ml.accuracy`; Slurm job names and file names use it.
std::string sanitize_name(std::string_view text);

/// The longest label or workflow name kept whole in job names and file names (such as
/// `jobs/n3.LABEL.launch.sbatch`), far below a file name's 255 bytes.
inline constexpr size_t kMaxNameLength = 96;

/// sanitize_name(text), or when longer than `max`, its first `max` - 9 characters, `-` and
/// 8 hex digits of the hash of `text`, so that long names stay distinct.
std::string short_name(std::string_view text, size_t max = kMaxNameLength);

}  // namespace flyte::slurm
