// The Argo templates of a build: one per task (shared by all its calls with the same
// resources), one per map item kind, the init step, the map launcher and gather, a
// branch's decide step (its arms' tasks carry `when:` on what it prints), one
// nested DAG per called workflow and per map fan-out, and the entry DAG. Every pod runs
// the executable's node mode against the store (`/flyte/store/{{workflow.name}}`); a
// shell task with an `@image` runs in that image, the executable copied into the pod by
// an init container, so its outputs reach the store exactly as the node mode puts them.
// With artifact storage each pod's store is its own: it gets `run.json` and the records
// of the nodes it reads as input artifacts, and hands its own record back as the output
// artifact `node`; a final `collect` step prints the workflow's outputs.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/k8s/Jobs.h"
#include "backends/k8s/Resources.h"
#include "backends/k8s/Storage.h"
#include "backends/k8s/Yaml.h"
#include "ir/Ir.h"

namespace flyte::k8s {

/// Where the executable is in the flytec image (and, copied, in a shell task's pod).
inline constexpr const char* kExecutable = "/opt/flytec/bin/wf";
inline constexpr const char* kInstallDir = "/opt/flytec";
/// The run's store: one folder per Workflow on the shared volume.
inline constexpr const char* kStoreDir = "/flyte/store/{{workflow.name}}";
/// The node mode's cache of `@cache` tasks, shared by every run on the volume.
inline constexpr const char* kCacheDir = "/flyte/store/.flytec-cache";
/// Where a pod's node mode writes the digest of what it recorded (`--digest-out`), read
/// back as the output parameter `digest`: the memoization keys of `@cache` tasks are made
/// of their upstream's digests.
inline constexpr const char* kDigestFile = "/tmp/flytec-digest";
/// How long a memoized result counts (Argo's `maxAge` must be set).
inline constexpr const char* kMemoMaxAge = "8760h";
/// The entry DAG's name.
inline constexpr const char* kEntry = "main";
/// The most tasks the Argo schema allows in one DAG; bigger ones are split into parts.
inline constexpr size_t kMaxDagTasks = 200;

struct TemplateOptions {
  std::string image;  // the flytec image (the Dockerfile's), such as `flytec-etl:latest`
  ClusterOptions cluster;
  Storage storage;
};

class TemplateBuilder {
 public:
  TemplateBuilder(const ir::Module& m, uint32_t workflow, TemplateOptions o);

  /// Every template, the entry DAG first.
  Yaml templates();
  /// The fields every container shares (`templateDefaults`).
  Yaml defaults() const;
  /// Why the templates cannot run (empty: they can).
  const std::string& error() const { return error_; }

 private:
  /// A DAG task being laid out: the task, the tasks its job depends on, its job.
  struct DagEntry {
    Yaml task;
    std::vector<std::string> deps;
    size_t group = 0;
    bool inner = false;             // a map's fan-out or gather: its `depends` is set already
    std::set<std::string> lenient;  // deps that may also be Omitted (a join's arm tasks)
  };
  std::string dag_template(uint32_t wi, bool entry);
  Yaml lay_out(std::vector<DagEntry> tasks, const std::string& init, ir::FailurePolicy policy,
               bool entry, const std::string& base);
  Yaml dag_body(std::vector<DagEntry>& tasks, size_t begin, size_t end,
                const std::set<std::string>& local, ir::FailurePolicy policy,
                const std::string& init);
  /// `upstream`: with artifact storage, how many upstream records the pod gets. `memo`: the
  /// ConfigMap of a memoized task's template (its key is the input parameter `memo-key`).
  std::string pod_template(const std::string& base, const PodResources& r, const PodRunner& run,
                           bool item, size_t upstream = 0, bool scalar_outputs = false,
                           const std::string& memo = "");
  /// The memoization key of task job `j` of `g` as a template of its upstream's digests,
  /// or nullopt when it is not memoized (see docs/k8s.md).
  std::optional<std::string> memo_key(const Dag& g, size_t j,
                                      const std::vector<std::string>& finals) const;
  /// True when every output of `t` is a scalar (with artifact storage, handed to Argo as
  /// the output parameter `outputs`).
  bool scalar_outputs(const ir::Task* t) const;
  std::string collect_template(size_t jobs);
  /// Adds the artifacts (and their keys) of `jobs` of `g` to a DAG task's arguments.
  void pass_records(Yaml& task, const std::vector<uint32_t>& jobs, const Dag& g);
  bool artifacts() const { return o_.storage.kind == Storage::Kind::Artifacts; }
  std::string init_template();
  std::string launch_template();
  std::string decide_template();
  std::string gather_template();
  std::string fanout_template(const std::string& item, const Job& job);
  Yaml container(const PodRunner& run, const Yaml& args) const;
  std::string add(std::string name, Yaml t);

  const ir::Module& m_;
  uint32_t workflow_;
  TemplateOptions o_;
  std::vector<Yaml> list_;
  std::map<std::string, std::string> by_signature_;  // signature -> template name
  std::set<std::string> taken_;                      // template names given out
  mutable std::string plan_hash_;                    // of the whole plan, for memo keys
  std::string error_;
};

}  // namespace flyte::k8s
