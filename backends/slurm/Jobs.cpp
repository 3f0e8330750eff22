// Builds the job graph of a workflow from the plan: owners of nested nodes, waits
// resolved through expression nodes, and resources merged over in-process bodies.
#include "backends/slurm/Jobs.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ir/Dependencies.h"
#include "ir/NodeKey.h"
#include "ir/NodeLabels.h"
#include "support/Hash.h"

namespace flyte::slurm {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Merges what `n` (a task node) asks for into `r`: the largest request of each kind, the
// longest timeout (none when any node has none), requeue when any node wants it.
void merge_task(const ir::Node& n, JobResources& r, bool& first) {
  const ir::Attributes& a = n.attributes();
  auto cpus = static_cast<int64_t>(std::ceil(std::max(a.cpu, 1.0)));
  if (first) {
    r.cpus = cpus;
    r.mem_bytes = a.mem_bytes;
    r.gpus = a.gpu;
    r.gpu_model = a.accelerator;
    r.retries = a.retries;
    r.timeout_s = a.timeout_s;
    r.interruptible = a.interruptible;
    r.checkpoint_every_s = a.checkpoint_every_s;
    first = false;
    return;
  }
  r.cpus = std::max(r.cpus, cpus);
  r.mem_bytes = std::max(r.mem_bytes, a.mem_bytes);
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
  if (!r.checkpoint_every_s) r.checkpoint_every_s = a.checkpoint_every_s;
}

// Every task node run in-process by a job over `nodes` of `w`: through branch arms, map
// bodies and called workflows. `depth` stops a (rejected) recursive plan.
void collect_tasks(const ir::Module& m, const ir::Workflow& w, const std::vector<ir::NodeId>& nodes,
                   JobResources& r, bool& first, int depth) {
  if (depth > 64) return;
  for (ir::NodeId id : nodes) {
    if (id.index >= w.nodes.size()) continue;
    const ir::Node& n = w.nodes[id.index];
    switch (n.kind) {
      case ir::Node::Kind::Task: merge_task(n, r, first); break;
      case ir::Node::Kind::Subworkflow:
        if (n.workflow.index < m.workflows.size()) {
          const ir::Workflow& callee = m.workflows[n.workflow.index];
          collect_tasks(m, callee, callee.top, r, first, depth + 1);
        }
        break;
      case ir::Node::Kind::Branch:
      case ir::Node::Kind::Map:
        for (const ir::Body& b : n.bodies()) collect_tasks(m, w, b.nodes, r, first, depth + 1);
        break;
      case ir::Node::Kind::Expr:
      case ir::Node::Kind::Fail: break;
    }
  }
}

}  // namespace

std::string sanitize_name(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out;
}

std::string short_name(std::string_view text, size_t max) {
  std::string out = sanitize_name(text);
  if (out.size() <= max || max < 16) return out;
  return out.substr(0, max - 9) + "-" + hash_bytes(text).substr(0, 8);
}

JobGraph build_job_graph(const ir::Module& m, const ir::Workflow& w) {
  JobGraph g;
  g.workflow = w.name;
  g.failure_policy = w.failure_policy;
  const auto count = static_cast<uint32_t>(w.nodes.size());

  // Each node's top-level owner: the node of the workflow's body it runs inside.
  std::vector<uint32_t> owners(count, kNone);
  for (ir::NodeId id : w.top) {
    if (id.index >= count) continue;
    owners[id.index] = id.index;
    for (const ir::Body& b : w.nodes[id.index].bodies())
      ir::mark_owner(w, b.nodes, id.index, owners);
  }

  // What each top-level node waits for, among top-level nodes.
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

  auto is_job = [&](uint32_t v) { return w.nodes[v].kind != ir::Node::Kind::Expr; };
  // The jobs behind each top-level node: itself when it is a job, else (an expression)
  // the jobs behind what it reads. Filled in topological order.
  ir::DependencyOrder order = ir::order_dependencies(deps);
  std::vector<std::vector<uint32_t>> behind(count);
  std::vector<uint32_t> job_index(count, kNone);
  for (uint32_t v : order.order) {
    if (v >= count || owners[v] != v) continue;
    std::set<uint32_t> upstream;
    for (uint32_t u : waits[v]) {
      for (uint32_t j : behind[u]) upstream.insert(j);
    }
    if (!is_job(v)) {
      behind[v].assign(upstream.begin(), upstream.end());
      continue;
    }
    const ir::Node& n = w.nodes[v];
    Job job;
    job.key = ir::node_key("", ir::NodeId{v});
    job.label = ir::node_label(m, n);
    job.name = sanitize_name(job.key) + "." + short_name(job.label, kMaxNameLength);
    for (uint32_t u : upstream) job.after.push_back(job_index[u]);
    std::sort(job.after.begin(), job.after.end());
    bool first = true;
    switch (n.kind) {
      case ir::Node::Kind::Task: job.kind = Job::Kind::Task; break;
      case ir::Node::Kind::Map: job.kind = Job::Kind::Map; break;
      default: job.kind = Job::Kind::InProcess; break;
    }
    collect_tasks(m, w, {ir::NodeId{v}}, job.resources, first, 0);
    if (n.kind == ir::Node::Kind::Map) {
      job.concurrency = n.concurrency();
      job.min_success = n.min_success();
    }
    job_index[v] = static_cast<uint32_t>(g.jobs.size());
    behind[v] = {v};
    g.jobs.push_back(std::move(job));
  }
  // `behind` holds node indices; the jobs' waits were translated as they were made.
  return g;
}

}  // namespace flyte::slurm
