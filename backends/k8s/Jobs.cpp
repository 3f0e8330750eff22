// Builds the DAG tasks of a workflow body from the plan (see Jobs.h): owners of nested
// nodes, dependencies resolved through expression nodes, and resources merged over the
// nodes a pod runs in-process.
#include "backends/k8s/Jobs.h"

#include <algorithm>

#include "ir/Dependencies.h"
#include "ir/NodeKey.h"

namespace flyte::k8s {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Merges task node `n` into `r`: the largest request of each kind, the longest timeout
// (none when any has none), interruptible when any is.
void merge_task(const ir::Module& m, const ir::Node& n, PodResources& r, bool& first) {
  const ir::Attributes& a = n.attributes();
  if (n.task.index < m.tasks.size()) {
    for (const std::string& s : m.tasks[n.task.index].secrets) r.secrets.insert(s);
  }
  if (first) {
    r.cpu = std::max(a.cpu, 0.001);
    r.mem_bytes = a.mem_bytes;
    r.disk_bytes = a.disk_bytes;
    r.gpus = a.gpu;
    r.gpu_model = a.accelerator;
    r.retries = a.retries;
    r.timeout_s = a.timeout_s;
    r.interruptible = a.interruptible;
    first = false;
    return;
  }
  r.cpu = std::max(r.cpu, a.cpu);
  r.mem_bytes = std::max(r.mem_bytes, a.mem_bytes);
  r.disk_bytes = std::max(r.disk_bytes, a.disk_bytes);
  if (a.gpu > r.gpus) {
    r.gpus = a.gpu;
    r.gpu_model = a.accelerator;
  }
  r.retries = std::max(r.retries, a.retries);
  if (!r.timeout_s || !a.timeout_s) {
    r.timeout_s.reset();
  } else {
    r.timeout_s = std::max(*r.timeout_s, *a.timeout_s);
  }
  r.interruptible = r.interruptible || a.interruptible;
}

// Every task node run in-process over `nodes` of `w`: through arms, map bodies and
// called workflows. `depth` stops a (rejected) recursive plan.
void collect(const ir::Module& m, const ir::Workflow& w, const std::vector<ir::NodeId>& nodes,
             PodResources& r, bool& first, int depth) {
  if (depth > 64) return;
  for (ir::NodeId id : nodes) {
    if (id.index >= w.nodes.size()) continue;
    const ir::Node& n = w.nodes[id.index];
    switch (n.kind) {
      case ir::Node::Kind::Task: merge_task(m, n, r, first); break;
      case ir::Node::Kind::Subworkflow:
        if (n.workflow.index < m.workflows.size()) {
          const ir::Workflow& callee = m.workflows[n.workflow.index];
          collect(m, callee, callee.top, r, first, depth + 1);
        }
        break;
      case ir::Node::Kind::Branch:
      case ir::Node::Kind::Map:
        for (const ir::Body& b : n.bodies()) collect(m, w, b.nodes, r, first, depth + 1);
        break;
      case ir::Node::Kind::Expr:
      case ir::Node::Kind::Fail: break;
    }
  }
}

void mark_owner(const ir::Workflow& w, const std::vector<ir::NodeId>& nodes, uint32_t owner,
                std::vector<uint32_t>& owners) {
  for (ir::NodeId id : nodes) {
    if (id.index >= w.nodes.size()) continue;
    owners[id.index] = owner;
    for (const ir::Body& b : w.nodes[id.index].bodies()) mark_owner(w, b.nodes, owner, owners);
  }
}

std::string label_of(const ir::Module& m, const ir::Node& n) {
  switch (n.kind) {
    case ir::Node::Kind::Task:
      return n.task.index < m.tasks.size() ? m.tasks[n.task.index].name : "task";
    case ir::Node::Kind::Subworkflow:
      return n.workflow.index < m.workflows.size() ? m.workflows[n.workflow.index].name
                                                   : "workflow";
    case ir::Node::Kind::Branch: return "branch";
    case ir::Node::Kind::Map: return "map";
    case ir::Node::Kind::Fail: return "fail";
    case ir::Node::Kind::Expr: return "expr";
  }
  return "node";
}

// A shell task with an `@image` runs in that image; everything else in flytec's.
PodRunner runner_of(const ir::Task& t) {
  PodRunner r;
  if (t.runner.kind() == ir::RunnerKind::Shell && !t.image.empty()) {
    r.task = &t;
    r.image = t.image;
  }
  return r;
}

// The one task node of a map body whose other nodes are expressions, or null.
const ir::Node* single_task(const ir::Workflow& w, const ir::Node& map) {
  const ir::Node* found = nullptr;
  for (const ir::Body& b : map.bodies()) {
    for (ir::NodeId id : b.nodes) {
      if (id.index >= w.nodes.size()) return nullptr;
      const ir::Node& n = w.nodes[id.index];
      if (n.kind == ir::Node::Kind::Expr) continue;
      if (n.kind != ir::Node::Kind::Task || found != nullptr) return nullptr;
      found = &n;
    }
  }
  return found;
}

}  // namespace

Dag build_dag(const ir::Module& m, uint32_t wi, bool nest) {
  const ir::Workflow& w = m.workflows[wi];
  Dag g;
  g.workflow = wi;
  g.failure_policy = w.failure_policy;
  const auto count = static_cast<uint32_t>(w.nodes.size());

  std::vector<uint32_t> owners(count, kNone);
  for (ir::NodeId id : w.top) {
    if (id.index >= count) continue;
    owners[id.index] = id.index;
    for (const ir::Body& b : w.nodes[id.index].bodies()) mark_owner(w, b.nodes, id.index, owners);
  }
  ir::Dependencies deps = ir::build_dependencies(w);
  std::vector<std::set<uint32_t>> waits(count);
  for (uint32_t v = 0; v < count; ++v) {
    uint32_t owner = owners[v];
    if (owner == kNone) continue;
    for (uint32_t u : deps.waits_for(v)) {
      if (u >= count || owners[u] == kNone || owners[u] == owner) continue;
      waits[owner].insert(owners[u]);
    }
  }

  ir::DependencyOrder order = ir::order_dependencies(deps);
  std::vector<std::vector<uint32_t>> behind(count);
  std::vector<uint32_t> job_index(count, kNone);
  for (uint32_t v : order.order) {
    if (v >= count || owners[v] != v) continue;
    std::set<uint32_t> upstream;
    for (uint32_t u : waits[v]) {
      for (uint32_t j : behind[u]) upstream.insert(j);
    }
    const ir::Node& n = w.nodes[v];
    if (n.kind == ir::Node::Kind::Expr) {
      behind[v].assign(upstream.begin(), upstream.end());
      continue;
    }
    Job job;
    job.node = ir::node_key("", ir::NodeId{v});
    job.name = job.node;
    job.label = label_of(m, n);
    for (uint32_t u : upstream) job.after.push_back(job_index[u]);
    std::sort(job.after.begin(), job.after.end());
    bool first = true;
    switch (n.kind) {
      case ir::Node::Kind::Task:
        job.kind = Job::Kind::Task;
        if (n.task.index < m.tasks.size()) {
          job.task = &m.tasks[n.task.index];
          job.runner = runner_of(*job.task);
        }
        break;
      case ir::Node::Kind::Map: {
        job.kind = Job::Kind::Map;
        job.concurrency = n.concurrency();
        job.min_success = n.min_success();
        const ir::Node* item = single_task(w, n);
        if (item != nullptr && item->task.index < m.tasks.size()) {
          job.task = &m.tasks[item->task.index];
          job.runner = runner_of(*job.task);
        }
        break;
      }
      case ir::Node::Kind::Subworkflow:
        job.kind = nest ? Job::Kind::Subworkflow : Job::Kind::InProcess;
        job.callee = n.workflow.index;
        break;
      default: job.kind = Job::Kind::InProcess; break;
    }
    collect(m, w, {ir::NodeId{v}}, job.resources, first, 0);
    job_index[v] = static_cast<uint32_t>(g.jobs.size());
    behind[v] = {v};
    g.jobs.push_back(std::move(job));
  }
  return g;
}

}  // namespace flyte::k8s
