// Builds the DAG tasks of a workflow body from the plan (see Jobs.h): owners of nested
// nodes, dependencies resolved through expression nodes, and resources merged over the
// nodes a pod runs in-process.
#include "backends/k8s/Jobs.h"

#include <algorithm>

#include "ir/Dependencies.h"
#include "ir/NodeKey.h"
#include "ir/NodeLabels.h"

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

// A branch whose arms hold only tasks, fails and expressions: its arms become jobs.
bool simple_branch(const ir::Workflow& w, const ir::Node& n) {
  if (n.kind != ir::Node::Kind::Branch) return false;
  for (const ir::Body& b : n.bodies()) {
    for (ir::NodeId id : b.nodes) {
      if (id.index >= w.nodes.size()) return false;
      ir::Node::Kind k = w.nodes[id.index].kind;
      if (k != ir::Node::Kind::Task && k != ir::Node::Kind::Expr && k != ir::Node::Kind::Fail)
        return false;
    }
  }
  return true;
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
    for (const ir::Body& b : w.nodes[id.index].bodies())
      ir::mark_owner(w, b.nodes, id.index, owners);
  }
  // Branches expanded into jobs: their arms' nodes are owners of their own, and the
  // pseudo-node `count + b` is branch b's decide job.
  std::vector<uint32_t> branch_of(count, kNone);
  std::vector<uint32_t> arm_of(count, 0);
  std::vector<bool> expanded(count, false);
  if (nest) {
    for (ir::NodeId id : w.top) {
      if (id.index >= count || !simple_branch(w, w.nodes[id.index])) continue;
      expanded[id.index] = true;
      const auto& bodies = w.nodes[id.index].bodies();
      for (uint32_t a = 0; a < bodies.size(); ++a) {
        for (ir::NodeId x : bodies[a].nodes) {
          owners[x.index] = x.index;
          branch_of[x.index] = id.index;
          arm_of[x.index] = a;
        }
      }
    }
  }
  ir::Dependencies deps = ir::build_dependencies(w);
  std::vector<std::set<uint32_t>> waits(2 * static_cast<size_t>(count));
  for (uint32_t v = 0; v < count; ++v) {
    uint32_t owner = owners[v];
    if (owner == kNone) continue;
    for (uint32_t u : deps.waits_for(v)) {
      if (u >= count || owners[u] == kNone || owners[u] == owner) continue;
      uint32_t o = owners[u];
      // An arm's node waits for its branch's decision, not for the branch.
      if (branch_of[owner] != kNone && o == branch_of[owner]) o = count + o;
      waits[owner].insert(o);
    }
  }
  for (uint32_t b = 0; b < count; ++b) {
    if (!expanded[b]) continue;
    for (uint32_t u : waits[b]) {
      if (u < count && branch_of[u] == b) continue;
      waits[count + b].insert(u);
    }
    waits[b].insert(count + b);
    for (uint32_t x = 0; x < count; ++x) {
      if (branch_of[x] == b) waits[b].insert(x);
    }
  }

  // The owners in an order that keeps the plan's, each after what it waits for.
  ir::DependencyOrder plan_order = ir::order_dependencies(deps);
  std::vector<uint32_t> pos(count, 0);
  for (uint32_t i = 0; i < plan_order.order.size(); ++i) {
    if (plan_order.order[i] < count) pos[plan_order.order[i]] = i;
  }
  auto rank = [&](uint32_t v) {
    return v < count ? std::pair{pos[v], 1U} : std::pair{pos[v - count], 0U};
  };
  std::vector<uint32_t> order;
  {
    const size_t all = waits.size();
    std::vector<bool> present(all, false);
    for (uint32_t v = 0; v < count; ++v) {
      present[v] = owners[v] == v;
      present[count + v] = expanded[v];
    }
    std::vector<size_t> pending(all, 0);
    std::vector<std::vector<uint32_t>> next(all);
    for (uint32_t v = 0; v < all; ++v) {
      if (!present[v]) continue;
      for (uint32_t u : waits[v]) {
        if (!present[u]) continue;
        ++pending[v];
        next[u].push_back(v);
      }
    }
    std::set<std::pair<std::pair<uint32_t, uint32_t>, uint32_t>> ready;
    for (uint32_t v = 0; v < all; ++v) {
      if (present[v] && pending[v] == 0) ready.insert({rank(v), v});
    }
    while (!ready.empty()) {
      uint32_t v = ready.begin()->second;
      ready.erase(ready.begin());
      order.push_back(v);
      for (uint32_t x : next[v]) {
        if (--pending[x] == 0) ready.insert({rank(x), x});
      }
    }
  }

  std::vector<std::vector<uint32_t>> behind(waits.size());
  std::vector<uint32_t> job_index(waits.size(), kNone);
  for (uint32_t v : order) {
    std::set<uint32_t> upstream;
    for (uint32_t u : waits[v]) {
      for (uint32_t j : behind[u]) upstream.insert(j);
    }
    if (v >= count) {
      Job d;
      d.kind = Job::Kind::Decide;
      d.node = ir::node_key("", ir::NodeId{v - count});
      d.name = d.node + "decide";
      d.label = "decide";
      d.resources.cpu = 0.1;
      for (uint32_t u : upstream) d.after.push_back(job_index[u]);
      std::sort(d.after.begin(), d.after.end());
      job_index[v] = static_cast<uint32_t>(g.jobs.size());
      behind[v] = {v};
      g.jobs.push_back(std::move(d));
      continue;
    }
    const ir::Node& n = w.nodes[v];
    if (n.kind == ir::Node::Kind::Expr) {
      behind[v].assign(upstream.begin(), upstream.end());
      continue;
    }
    Job job;
    job.node = ir::node_key("", ir::NodeId{v});
    job.name = job.node;
    job.label = ir::node_label(m, n);
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
    if (branch_of[v] != kNone) {
      job.guard = job_index[count + branch_of[v]];
      job.arm = arm_of[v];
    }
    if (expanded[v]) {
      // It only reads its arms' records: a small pod.
      job.join = true;
      job.resources.cpu = 0.1;
    } else {
      collect(m, w, {ir::NodeId{v}}, job.resources, first, 0);
    }
    job_index[v] = static_cast<uint32_t>(g.jobs.size());
    behind[v] = {v};
    g.jobs.push_back(std::move(job));
  }
  return g;
}

}  // namespace flyte::k8s
