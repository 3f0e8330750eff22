// The DAG tasks of one workflow body: which nodes become Argo DAG tasks and what each
// depends on. A task node is one DAG task (run in its `@image` when it is a shell task
// with one, else in the flytec image); a sub-workflow node is a nested DAG (the callee's
// body, under the node's key prefix); a fail node runs in-process (`wf --run-node KEY`);
// a branch whose arms hold only tasks, fails and expressions is a `decide` task (`wf
// --branch-arm KEY`), its arms' nodes as tasks guarded by the arm it prints, and a join
// that runs the branch node (other branches run in-process); a map is a launcher, a fan-out of its
// items (`withParam`) and a gather. Expression nodes are never tasks: a task depends on the tasks
// behind the expressions it reads.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::k8s {

/// What a pod asks for, from the resolved attributes of the nodes it runs.
struct PodResources {
  double cpu = 1.0;
  int64_t mem_bytes = 0;  // 0: the cluster's default
  int64_t disk_bytes = 0;
  int64_t gpus = 0;
  std::string gpu_model;  // such as `A100`, or empty
  int64_t retries = 0;
  std::optional<double> timeout_s;  // one attempt's; none: no deadline
  bool interruptible = false;
  std::set<std::string> secrets;  // `@secret` names of the tasks it runs
  friend bool operator==(const PodResources&, const PodResources&) = default;
};

/// What a pod runs: the flytec executable in its own image, or a shell task's command in
/// the task's image (the executable copied in by an init container).
struct PodRunner {
  const ir::Task* task = nullptr;  // the task run (shell task in its image), or null
  std::string image;               // the task's `@image`; empty: the flytec image
};

struct Job {
  enum class Kind : uint8_t { Task, InProcess, Map, Subworkflow, Decide } kind = Kind::Task;
  std::string name;                // the DAG task's name: the node key's last step, such as `n3`
  std::string node;                // the key's last step: `n3` (the prefix is added at run time)
  std::string label;               // the task's or callee's name, `branch`, `fail`, `map`
  std::vector<uint32_t> after;     // indices into Dag::jobs, ascending
  PodResources resources;          // Map: one item's
  PodRunner runner;                // Task; Map: one item's
  const ir::Task* task = nullptr;  // Task: the task
  std::optional<uint32_t> callee;  // Subworkflow: the workflow's index
  std::optional<int64_t> concurrency;  // Map: `@concurrency`
  std::optional<double> min_success;   // Map: `@min_success`
  std::optional<uint32_t> guard;       // a node of a branch arm: the branch's Decide job
  uint32_t arm = 0;                    // with guard: the arm's index
  bool join = false;                   // a branch node whose arms are jobs of their own
};

struct Dag {
  uint32_t workflow = 0;  // index into Module::workflows
  ir::FailurePolicy failure_policy = ir::FailurePolicy::FailFast;
  std::vector<Job> jobs;  // in topological order
};

/// The DAG of workflow `wi` of `m`. With `nest` false, sub-workflows and branches run
/// in-process.
Dag build_dag(const ir::Module& m, uint32_t wi, bool nest);

}  // namespace flyte::k8s
