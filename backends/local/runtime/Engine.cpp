// The scheduler.
#include "backends/local/runtime/Engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <list>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

#include "backends/local/runtime/Expr.h"
#include "backends/local/runtime/GraphIndex.h"
#include "backends/local/runtime/NodeExecutor.h"
#include "backends/local/runtime/StageIndex.h"
#include "backends/local/runtime/StageJob.h"
#include "backends/local/runtime/Store.h"
#include "backends/local/runtime/TensorRef.h"
#include "backends/local/runtime/gpu/Gpu.h"
#include "backends/local/runtime/gpu/HostDevice.h"
#include "ir/Args.h"
#include "ir/NodeKey.h"

namespace flyte::rt {
namespace fs = std::filesystem;

Machine Machine::probe() {
  Machine m;
  m.cpus = std::max(1u, std::thread::hardware_concurrency());
  m.mem_bytes = static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev", ec)) {
    std::string n = e.path().filename().string();
    if (n.size() > 6 && n.rfind("nvidia", 0) == 0 &&
        n.find_first_not_of("0123456789", 6) == std::string::npos)
      ++m.gpus;
  }
  return m;
}

namespace {

enum class NodeState : uint8_t { Waiting, Running, Done, Failed, Skipped };

struct MapState {
  Value items;
  size_t next = 0;
  size_t active = 0;
  size_t finished = 0;
  size_t successes = 0;
  Value results = Value::array();
  std::optional<Failure> first_failure;
};

/// One running instance of a body: a workflow's top level (with its inputs), a branch
/// arm, or one item of a map.
struct Scope {
  const WorkflowIndex* wf = nullptr;
  uint32_t body = 0;
  Scope* lexical = nullptr;  // where outer names are looked up; null for a workflow
  Scope* root = nullptr;     // the workflow instance, for `$input`
  std::vector<Value> inputs;
  uint32_t map_node = UINT32_MAX;
  Value item;
  int64_t item_index = -1;
  std::string prefix;  // of its nodes' keys (ir/NodeKey.h)
  std::vector<Value> values;
  std::vector<uint32_t> waiting;
  std::vector<NodeState> state;
  uint32_t unfinished = 0;
  uint32_t busy = 0;        // running tasks and live child scopes
  Scope* parent = nullptr;  // the scope whose node waits for this one
  uint32_t parent_node = 0;
  bool failed = false;
  bool aborting = false;
  bool completed = false;
  uint32_t skipped = 0;
  std::optional<Failure> failure;
  std::unordered_map<uint32_t, MapState> maps;
  // Fused GPU stages: the members waiting for the rest of their stage, by stage index.
  std::unordered_map<int32_t, std::vector<uint32_t>> parked;
  // The node mode (NodeTarget.h). Full: every node runs. Path: a scope on the way to the
  // target; only `needed` nodes (what `path_node` depends on, and itself) start, and
  // those but `path_node` come from the store. Upstream: every node comes from the store
  // (expressions are evaluated; composites with no record are evaluated from theirs).
  enum class Mode : uint8_t { Full, Path, Upstream } mode = Mode::Full;
  uint32_t step = 0;  // Path: the target's step this scope is in
  uint32_t path_node = UINT32_MAX;
  std::vector<char> needed;  // Path: by position
};

struct TaskJob {
  Scope* scope;
  uint32_t node;
  Value args;
  double cpu;
  int64_t mem, gpu;
  std::vector<int> gpu_ids;  // the devices it was given: CUDA_VISIBLE_DEVICES
  std::atomic<bool> cancel{false};
  // A fused GPU stage (StageIndex::stages[stage]) instead of the one node: `node` is its
  // first member, `members` all of them with their arguments.
  int32_t stage = -1;
  std::vector<StageMember> members;
};

}  // namespace

/// A worklist entry that finishes an empty scope instead of starting a node.
constexpr uint32_t kFinishScope = UINT32_MAX;

struct Engine::Impl {
  const ir::Module& m;
  EngineOptions opt;
  std::vector<std::unique_ptr<WorkflowIndex>> index;
  std::vector<Value> constants;

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<std::unique_ptr<TaskJob>> ready;
  std::deque<TaskJob*> runnable;
  std::list<std::unique_ptr<TaskJob>> running;
  std::vector<std::thread> workers;
  std::deque<std::unique_ptr<Scope>> scopes;
  std::vector<std::pair<Scope*, uint32_t>> worklist;
  double cpu_free = 0;
  int64_t mem_free = 0, gpu_free = 0;
  std::vector<bool> gpu_busy;
  bool stop_workers = false;
  bool interrupted = false;
  bool finished = false;
  bool warned_oversize = false;
  Scope* top = nullptr;
  std::optional<Failure> root_failure;
  const NodeTarget* target = nullptr;  // the node mode's target, or null
  bool resolved = false;               // the target ended (or cannot run): stop the rest

  std::unique_ptr<RunnerRegistry> own_runners;
  NodeExecutor executor;
  // Fused GPU stages: the device they run on (none: every node runs on its own), one
  // stage at a time, and each workflow's stages.
  std::unique_ptr<gpu::Device> stage_device;
  std::mutex stage_mu;
  std::unordered_map<const WorkflowIndex*, StageIndex> stage_index;

  /// The device of fused stages: the GPU when the plan's placement is followed and one is
  /// usable; the host stand-in when FLYTEC_STAGE_DEVICE=host (tests); none in the node
  /// mode, which runs one node.
  void choose_stage_device() {
    if (target != nullptr) return;
    const char* env = std::getenv("FLYTEC_STAGE_DEVICE");
    std::string want = env != nullptr ? env : "";
    if (want == "none" || (want != "host" && gpu::device_mode() != gpu::DeviceMode::Auto)) return;
    bool any = false;
    for (const auto& wf : index) {
      StageIndex& ix = stage_index.emplace(wf.get(), build_stage_index(m, *wf)).first->second;
      any = any || !ix.stages.empty();
    }
    // The plugin is loaded only for a plan that has a stage to fuse.
    if (any && want == "host") {
      stage_device = std::make_unique<gpu::HostDevice>();
    } else if (any && gpu::gpu_available()) {
      stage_device = gpu::cuda_device();
    }
  }

  /// The fused stage (an index into its workflow's stages) node `node` of `s` runs in,
  /// or -1.
  int32_t fused_stage(const Scope* s, uint32_t node) const {
    if (stage_device == nullptr || s->mode != Scope::Mode::Full) return -1;
    return stage_index.at(s->wf).stage_of[node];
  }

  /// True when stage member `node` waits only for members of its stage.
  bool stage_ready(const Scope* s, uint32_t node) const {
    if (fused_stage(s, node) < 0) return false;
    uint32_t internal = stage_index.at(s->wf).internal_deps[node];
    return internal > 0 && s->waiting[s->wf->pos[node]] == internal;
  }

  /// `o` with the real side effects where it names none, as the executor takes it.
  static const ExecutorOptions& executor_options(EngineOptions& o,
                                                 std::unique_ptr<RunnerRegistry>& own_runners) {
    if (o.clock == nullptr) o.clock = &Clock::system();
    if (o.fs == nullptr) o.fs = &FileSystem::real();
    if (o.runners == nullptr) {
      own_runners = default_runners(ProcessSpawner::real());
      o.runners = own_runners.get();
    }
    return o;
  }

  Impl(const ir::Module& module, EngineOptions o)
      : m(module),
        opt(std::move(o)),
        target(opt.target),
        executor(m, executor_options(opt, own_runners)) {
    for (const ir::Workflow& w : m.workflows) index.push_back(build_index(w));
    constants.reserve(m.constants.size());
    for (const ir::Constant& c : m.constants)
      constants.push_back(constant_value(c.value, m.types, c.type));
    cpu_free = opt.machine.cpus;
    mem_free = opt.machine.mem_bytes;
    gpu_free = opt.machine.gpus;
    gpu_busy.assign(static_cast<size_t>(std::max<int64_t>(0, opt.machine.gpus)), false);
    choose_stage_device();
    for (int i = 0; i < std::max(1, opt.jobs); ++i) workers.emplace_back([this] { worker(); });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop_workers = true;
    }
    work_cv.notify_all();
    for (std::thread& t : workers) t.join();
  }

  // --- values ------------------------------------------------------------------------

  /// The part of `v` that `ref` picks: output `output` (a name, or null for the whole
  /// value), then its path of fields.
  static Value select(Value v, const ir::ValueRef& ref, const std::string* output) {
    if (output != nullptr && v.is_object())
      v = v.contains(*output) ? Value(v[*output]) : Value(nullptr);
    for (const std::string& p : ref.path()) {
      if (!v.is_object() || !v.contains(p)) return Value(nullptr);
      v = Value(v[p]);
    }
    return v;
  }

  Value lookup(const Scope* s, const ir::ValueRef& ref) const {
    switch (ref.kind) {
      case ir::ValueRef::Kind::Const: return select(constants[ref.index], ref, nullptr);
      case ir::ValueRef::Kind::Input: return select(s->root->inputs[ref.index], ref, nullptr);
      case ir::ValueRef::Kind::MapItem:
        for (; s != nullptr; s = s->lexical) {
          if (s->map_node == ref.index) return select(s->item, ref, nullptr);
        }
        return Value(nullptr);
      case ir::ValueRef::Kind::NodeOutput: break;
    }
    const WorkflowIndex& wf = *s->wf;
    uint32_t body = wf.owner[ref.index];
    for (; s != nullptr && s->body != body; s = s->lexical) {
    }
    if (s == nullptr) return Value(nullptr);
    const std::string* output = nullptr;
    if (ref.output != ir::ValueRef::kWhole)
      output = &m.types.get(wf.w->nodes[ref.index].type).fields[ref.output].name;
    return select(s->values[wf.pos[ref.index]], ref, output);
  }

  std::string key(const Scope* s, uint32_t node) const {
    return ir::node_key(s->prefix, ir::NodeId{node});
  }

  // --- scopes ------------------------------------------------------------------------

  Scope* new_scope(const WorkflowIndex& wf, uint32_t body, Scope* lexical, Scope* parent,
                   uint32_t parent_node, std::string prefix) {
    scopes.push_back(std::make_unique<Scope>());
    Scope* s = scopes.back().get();
    s->wf = &wf;
    s->body = body;
    s->lexical = lexical;
    s->root = lexical != nullptr ? lexical->root : s;
    s->parent = parent;
    s->parent_node = parent_node;
    s->prefix = std::move(prefix);
    const std::vector<uint32_t>& nodes = wf.bodies[body].nodes;
    s->values.resize(nodes.size());
    s->state.assign(nodes.size(), NodeState::Waiting);
    s->waiting.resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i)
      s->waiting[i] = static_cast<uint32_t>(wf.deps[nodes[i]].size());
    s->unfinished = static_cast<uint32_t>(nodes.size());
    if (parent != nullptr) ++parent->busy;
    return s;
  }

  /// Queues the nodes of a fresh scope that wait for nothing, or finishes an empty one.
  void start_scope(Scope* s) {
    const std::vector<uint32_t>& nodes = s->wf->bodies[s->body].nodes;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (s->waiting[i] == 0 || stage_ready(s, nodes[i])) worklist.emplace_back(s, nodes[i]);
    }
    // An empty body (`for x in xs { x }`) finishes through the worklist, not here: a
    // map would otherwise finish item after item in one ever deeper call chain.
    if (nodes.empty()) worklist.emplace_back(s, kFinishScope);
  }

  /// True when `s` or a scope it belongs to is being stopped.
  bool aborted(const Scope* s) const {
    if (interrupted) return true;
    for (; s != nullptr; s = s->parent) {
      if (s->aborting) return true;
    }
    return false;
  }

  void scope_maybe_done(Scope* s) {
    if (s->completed || s->unfinished != 0 || s->busy != 0) return;
    s->completed = true;
    const WorkflowIndex& wf = *s->wf;
    Scope* p = s->parent;
    if (s == top) {
      finished = true;
      done_cv.notify_all();
      return;
    }
    --p->busy;
    if (!s->failed && s->skipped > 0 && interrupted) {
      // Cut short by SIGINT or SIGTERM, not by a failure: the node that waits for this
      // scope (a branch, a map, a sub-workflow) did not fail either; it is skipped.
      if (p->state[p->wf->pos[s->parent_node]] == NodeState::Running) skip(p, s->parent_node);
    } else if (s->failed || s->skipped > 0 || aborted(s)) {
      child_failed(p, s->parent_node, s, s->failure.value_or(Failure{"", "", "cancelled", ""}));
    } else {
      Value result;
      if (s->body == 0) {  // a whole workflow: its results
        const ir::Workflow& w = *wf.w;
        if (w.named_outputs) {
          result = Value::object();
          for (const auto& [name, ref] : w.results) result[name] = lookup(s, ref);
        } else if (!w.results.empty()) {
          result = lookup(s, w.results.front().second);
        }
      } else {
        result = lookup(s, wf.bodies[s->body].body->result);
      }
      child_done(p, s->parent_node, s, std::move(result));
    }
    scope_maybe_done(p);
  }

  void child_done(Scope* p, uint32_t node, Scope* child, Value result) {
    uint32_t pos = p->wf->pos[node];
    if (p->state[pos] != NodeState::Running) return;  // already failed or cancelled
    const ir::Node& n = p->wf->w->nodes[node];
    if (is_path_map(p, node)) {
      path_item_ended(p, node, std::move(result), nullptr);
      return;
    }
    if (n.kind != ir::Node::Kind::Map) {
      complete(p, node, std::move(result));
      return;
    }
    MapState& ms = p->maps[node];
    ms.results[static_cast<size_t>(child->item_index)] = std::move(result);
    ++ms.successes;
    map_item_finished(p, node, ms);
  }

  void child_failed(Scope* p, uint32_t node, Scope* child, const Failure& f) {
    uint32_t pos = p->wf->pos[node];
    if (p->state[pos] != NodeState::Running) return;
    const ir::Node& n = p->wf->w->nodes[node];
    if (is_path_map(p, node)) {
      path_item_ended(p, node, Value(), &f);
      return;
    }
    if (n.kind != ir::Node::Kind::Map || !n.min_success() || interrupted) {
      fail(p, node, f);
      return;
    }
    MapState& ms = p->maps[node];
    ms.results[static_cast<size_t>(child->item_index)] = nullptr;
    if (!ms.first_failure) ms.first_failure = f;
    if (!quiet(p))
      opt.events->log(
          fmt::format("flytec: item {} of map '{}' failed (tolerated by @min_success): {}",
                      child->item_index, key(p, node), f.error));
    map_item_finished(p, node, ms);
  }

  // --- the node mode (NodeTarget.h) ---------------------------------------------------

  /// True when target step `step`'s node lies in body `body` of `wf` (itself, or inside
  /// branch arms there).
  static bool on_chain(const WorkflowIndex& wf, uint32_t body, uint32_t node) {
    for (uint32_t x = node;;) {
      if (wf.owner[x] == body) return true;
      if (wf.owner[x] == 0) return false;
      x = wf.bodies[wf.owner[x]].parent_node;
    }
  }

  /// Makes `c` a scope on the way to the target's step `step`: only what leads there runs.
  void enter_path(Scope* c, uint32_t step) {
    const WorkflowIndex& wf = *c->wf;
    c->mode = Scope::Mode::Path;
    c->step = step;
    uint32_t x = target->steps[step].node.index;
    while (wf.owner[x] != c->body) x = wf.bodies[wf.owner[x]].parent_node;
    c->path_node = x;
    c->needed.assign(wf.bodies[c->body].nodes.size(), 0);
    std::vector<uint32_t> stack{x};
    while (!stack.empty()) {
      uint32_t y = stack.back();
      stack.pop_back();
      if (c->needed[wf.pos[y]] != 0) continue;
      c->needed[wf.pos[y]] = 1;
      for (uint32_t d : wf.deps[y]) stack.push_back(d);
    }
  }

  /// The mode of a child scope of node `node` of `s` that is not on the way to the target.
  static Scope::Mode child_mode(const Scope* s, uint32_t node) {
    if (s->mode == Scope::Mode::Full) return Scope::Mode::Full;
    if (s->mode == Scope::Mode::Path && node == s->path_node) return Scope::Mode::Full;
    return Scope::Mode::Upstream;
  }

  /// Node `node` of `s` is the target itself (a map's item is not).
  bool is_target(const Scope* s, uint32_t node) const {
    return target != nullptr && s->mode == Scope::Mode::Path && !target->steps.empty() &&
           s->step + 1 == target->steps.size() && node == target->steps.back().node.index &&
           !target->item;
  }

  /// Node `node` of `s` is the map one of whose items leads to the target.
  bool is_path_map(const Scope* s, uint32_t node) const {
    return target != nullptr && s->mode == Scope::Mode::Path && node == s->path_node &&
           node == target->steps[s->step].node.index && target->steps[s->step].item.has_value();
  }

  bool last_step(const Scope* s) const { return s->step + 1 == target->steps.size(); }

  /// Events of scopes outside the target are not this process's to report.
  bool quiet(const Scope* s) const {
    return resolved || (target != nullptr && s->mode != Scope::Mode::Full);
  }

  void resolve(const TargetResult& r) {
    if (resolved) return;
    resolved = true;
    target->hooks->resolved(r);
  }

  /// In a Path or Upstream scope: node `node` from the store. False when it is to run
  /// here (the node on the way to the target, an expression, a composite with no record).
  bool from_store(Scope* s, uint32_t node) {
    uint32_t pos = s->wf->pos[node];
    const ir::Node& n = s->wf->w->nodes[node];
    if (s->mode == Scope::Mode::Path && s->needed[pos] == 0) {
      skip(s, node);  // the target does not depend on it
      return true;
    }
    if (s->mode == Scope::Mode::Path && node == s->path_node) return false;
    if (n.kind == ir::Node::Kind::Expr || n.kind == ir::Node::Kind::Fail) return false;
    StoredNode r = target->hooks->lookup(key(s, node), n.type);
    switch (r.state) {
      case StoredNode::State::Done: complete(s, node, std::move(r.value)); return true;
      case StoredNode::State::Skipped: skip(s, node); return true;
      case StoredNode::State::Failed: fail(s, node, r.failure); return true;
      case StoredNode::State::Absent: break;
    }
    if (n.kind != ir::Node::Kind::Task) return false;
    // An `@cache` task with no record whose entry is in the cache: a memoized Argo step
    // skipped its pod. Its record is restored from the cache, as its own pod would have.
    const ir::Task& t = m.tasks[n.task.index];
    if (std::optional<std::string> ck = executor.cache_key_of(n, call_args(s, n, t.inputs))) {
      StoredNode restored = target->hooks->restore(
          key(s, node), n.type, *ck, [&t](const Value& outputs) { return unpack(t, outputs); });
      if (restored.state == StoredNode::State::Done) {
        complete(s, node, std::move(restored.value));
        return true;
      }
    }
    target->hooks->missing(key(s, node));  // the rest goes on, to find all that is missing
    skip(s, node);
    return true;
  }

  /// A branch in a Path scope chose `body`: the target is in it, or is skipped.
  void enter_arm(Scope* s, uint32_t node, Scope* c, uint32_t body) {
    const WorkflowIndex& wf = *s->wf;
    if (s->mode == Scope::Mode::Path && node == s->path_node && !is_target(s, node)) {
      if (on_chain(wf, body, target->steps[s->step].node.index)) {
        enter_path(c, s->step);
      } else {
        resolve({TargetResult::State::Skipped, {}, {}});  // in an arm not taken
      }
      return;
    }
    c->mode = child_mode(s, node);
    if (c->mode != Scope::Mode::Full || target == nullptr) return;
    // Inside the target: the nodes of the arms not taken get their records (skipped).
    for (uint32_t other : wf.node_bodies[node]) {
      if (other == body) continue;
      for (uint32_t x : wf.bodies[other].nodes) {
        const ir::Node& xn = wf.w->nodes[x];
        if (xn.kind != ir::Node::Kind::Expr && xn.kind != ir::Node::Kind::Fail)
          target->hooks->finished(key(s, x), xn, {TargetResult::State::Skipped, {}, {}});
      }
    }
  }

  /// Starts only the item of map `node` that leads to the target.
  void launch_path_item(Scope* s, uint32_t node, MapState& ms) {
    uint64_t want = *target->steps[s->step].item;
    if (want >= ms.items.size()) {
      target->hooks->refused(fmt::format("map node '{}' has {} item{}; there is no item {}",
                                         key(s, node), ms.items.size(),
                                         ms.items.size() == 1 ? "" : "s", want));
      resolved = true;
      skip(s, node);
      return;
    }
    ms.next = ms.items.size();
    ++ms.active;
    uint32_t body = s->wf->node_bodies[node][0];
    Scope* c = new_scope(*s->wf, body, s, s, node, ir::map_item_prefix(key(s, node), want));
    c->root = s->root;
    c->map_node = node;
    c->item = ms.items[want];
    c->item_index = static_cast<int64_t>(want);
    if (!last_step(s)) enter_path(c, s->step + 1);
    start_scope(c);
  }

  /// The item of a path map ended (`f` null: with `result`).
  void path_item_ended(Scope* p, uint32_t node, Value result, const Failure* f) {
    if (last_step(p)) {
      if (f == nullptr) {
        resolve({TargetResult::State::Done, std::move(result), {}});
      } else {
        resolve(
            {f->error == "cancelled" ? TargetResult::State::Skipped : TargetResult::State::Failed,
             {},
             *f});
      }
    }
    resolved = true;
    skip(p, node);
  }

  // --- nodes -------------------------------------------------------------------------

  void drain() {
    while (!worklist.empty()) {
      if (resolved && !top->aborting) abort(top);
      auto [s, node] = worklist.back();
      worklist.pop_back();
      if (node == kFinishScope) {
        scope_maybe_done(s);
      } else {
        start_node(s, node);
      }
    }
    if (resolved && !top->aborting) abort(top);
    dispatch();
  }

  std::vector<std::pair<std::string, Value>> operands(const Scope* s, const ir::Node& n) const {
    std::vector<std::pair<std::string, Value>> out;
    std::span<const ir::Arg> args = s->wf->w->args_of(n);
    out.reserve(args.size());
    for (const ir::Arg& a : args)
      out.emplace_back(ir::arg_name(m, *s->wf->w, n, a), lookup(s, a.value));
    return out;
  }

  void start_node(Scope* s, uint32_t node) {
    uint32_t pos = s->wf->pos[node];
    if (aborted(s)) {
      skip(s, node);
      return;
    }
    if (s->mode != Scope::Mode::Full && from_store(s, node)) return;
    s->state[pos] = NodeState::Running;
    const ir::Node& n = s->wf->w->nodes[node];
    switch (n.kind) {
      case ir::Node::Kind::Expr: {
        std::string error;
        std::optional<Value> v = eval_expr(n.op, operands(s, n), m.types.kind(n.type), error);
        if (v) {
          complete(s, node, std::move(*v));
        } else {
          fail(s, node, {key(s, node), "", error, ""});
        }
        return;
      }
      case ir::Node::Kind::Fail: {
        Value msg = lookup(s, s->wf->w->args_of(n).front().value);
        fail(s, node, {key(s, node), "", "fail(): " + scalar_text(msg), ""});
        return;
      }
      case ir::Node::Kind::Branch: {
        size_t arm = n.conditions().size();
        for (size_t i = 0; i < n.conditions().size(); ++i) {
          if (lookup(s, n.conditions()[i]) == Value(true)) {
            arm = i;
            break;
          }
        }
        if (is_target(s, node) && target->arm_only) {
          resolve({TargetResult::State::Done, Value(arm), {}});
          skip(s, node);
          return;
        }
        uint32_t body = s->wf->node_bodies[node][arm];
        Scope* c = new_scope(*s->wf, body, s, s, node, s->prefix);
        c->root = s->root;
        if (target != nullptr) enter_arm(s, node, c, body);
        start_scope(c);
        return;
      }
      case ir::Node::Kind::Map: start_map(s, node, n); return;
      case ir::Node::Kind::Subworkflow: {
        const WorkflowIndex& callee = *index[n.workflow.index];
        Scope* c = new_scope(callee, 0, nullptr, s, node, ir::subworkflow_prefix(key(s, node)));
        c->root = c;
        if (target != nullptr && s->mode == Scope::Mode::Path && node == s->path_node &&
            !is_target(s, node)) {
          enter_path(c, s->step + 1);
        } else {
          c->mode = child_mode(s, node);
        }
        Value args = call_args(s, n, callee.w->inputs);
        for (const ir::Param& p : callee.w->inputs) c->inputs.push_back(args[p.name]);
        start_scope(c);
        return;
      }
      case ir::Node::Kind::Task:
        if (int32_t st = fused_stage(s, node); st >= 0) {
          park(s, node, st);
        } else {
          start_task(s, node, n);
        }
        return;
    }
  }

  Value call_args(const Scope* s, const ir::Node& n, const std::vector<ir::Param>& params) const {
    Value args = Value::object();
    for (const ir::Param& p : params) {
      if (p.default_value) args[p.name] = constants[p.default_value->index];
    }
    for (const ir::Arg& a : s->wf->w->args_of(n)) args[params[a.param].name] = lookup(s, a.value);
    return args;
  }

  void start_map(Scope* s, uint32_t node, const ir::Node& n) {
    MapState& ms = s->maps[node];
    ms.items = lookup(s, s->wf->w->args_of(n).front().value);
    if (!ms.items.is_array()) ms.items = Value::array();
    if (is_target(s, node) && target->length_only) {
      resolve({TargetResult::State::Done, Value(ms.items.size()), {}});
      skip(s, node);
      return;
    }
    ms.results = Value::array();
    for (size_t i = 0; i < ms.items.size(); ++i) ms.results.push_back(nullptr);
    if (ms.items.empty()) {
      Value empty = Value::array();
      complete(s, node, std::move(empty));
      return;
    }
    launch_items(s, node, n, ms);
  }

  void launch_items(Scope* s, uint32_t node, const ir::Node& n, MapState& ms) {
    if (is_path_map(s, node)) {
      launch_path_item(s, node, ms);
      return;
    }
    // Outside the target, items come from their records in the store where they have one.
    bool stored_items = target != nullptr && s->mode != Scope::Mode::Full;
    bool any_stored = false;
    size_t limit = n.concurrency() ? static_cast<size_t>(std::max<int64_t>(1, *n.concurrency()))
                                   : ms.items.size();
    while (ms.next < ms.items.size() && ms.active < limit && !aborted(s)) {
      size_t i = ms.next++;
      std::string prefix = ir::map_item_prefix(key(s, node), i);
      if (stored_items) {
        StoredNode r =
            target->hooks->lookup(prefix.substr(0, prefix.size() - 1), m.types.get(n.type).elem);
        if (r.state != StoredNode::State::Absent) {
          any_stored = true;
          ++ms.finished;
          if (r.state == StoredNode::State::Done) {
            ms.results[i] = std::move(r.value);
            ++ms.successes;
            continue;
          }
          Failure f = r.state == StoredNode::State::Failed
                          ? r.failure
                          : Failure{prefix.substr(0, prefix.size() - 1), "", "skipped", ""};
          if (!n.min_success()) {
            fail(s, node, f);
            return;
          }
          ms.results[i] = nullptr;
          if (!ms.first_failure) ms.first_failure = f;
          continue;
        }
      }
      ++ms.active;
      uint32_t body = s->wf->node_bodies[node][0];
      Scope* c = new_scope(*s->wf, body, s, s, node, prefix);
      c->root = s->root;
      c->map_node = node;
      c->item = ms.items[i];
      c->item_index = static_cast<int64_t>(i);
      if (stored_items) c->mode = Scope::Mode::Upstream;
      start_scope(c);
    }
    if (any_stored && ms.active == 0 && ms.finished == ms.items.size()) map_complete(s, node, ms);
  }

  void map_item_finished(Scope* s, uint32_t node, MapState& ms) {
    --ms.active;
    ++ms.finished;
    const ir::Node& n = s->wf->w->nodes[node];
    if (aborted(s)) {
      if (ms.active == 0) skip(s, node);
      return;
    }
    if (ms.finished < ms.items.size()) {
      launch_items(s, node, n, ms);
      return;
    }
    map_complete(s, node, ms);
  }

  /// Every item of map `node` ended: its list of results, or its failure.
  void map_complete(Scope* s, uint32_t node, MapState& ms) {
    const ir::Node& n = s->wf->w->nodes[node];
    double ratio = static_cast<double>(ms.successes) / static_cast<double>(ms.items.size());
    if (n.min_success() && ratio < *n.min_success()) {
      Failure f = ms.first_failure.value_or(Failure{});
      f.error = fmt::format("only {} of {} items succeeded; @min_success({}) needs {}%. First: {}",
                            ms.successes, ms.items.size(), *n.min_success(), *n.min_success() * 100,
                            f.error);
      fail(s, node, f);
      return;
    }
    Value results = std::move(ms.results);
    complete(s, node, std::move(results));
  }

  void complete(Scope* s, uint32_t node, Value v) {
    if (is_target(s, node)) resolve({TargetResult::State::Done, v, {}});
    const WorkflowIndex& wf = *s->wf;
    uint32_t pos = wf.pos[node];
    s->values[pos] = std::move(v);
    s->state[pos] = NodeState::Done;
    --s->unfinished;
    for (uint32_t d : wf.dependents[node]) {
      uint32_t dp = wf.pos[d];
      --s->waiting[dp];
      if (s->state[dp] == NodeState::Waiting && (s->waiting[dp] == 0 || stage_ready(s, d)))
        worklist.emplace_back(s, d);
    }
    release_consumed(s, node);
    scope_maybe_done(s);
  }

  /// Drops from memory the tensors of the nodes `node` waited for whose every consumer
  /// has now finished (their files stay).
  void release_consumed(Scope* s, uint32_t node) {
    const WorkflowIndex& wf = *s->wf;
    for (uint32_t p : wf.deps[node]) {
      bool consumed =
          std::all_of(wf.dependents[p].begin(), wf.dependents[p].end(), [&](uint32_t d) {
            NodeState st = s->state[wf.pos[d]];
            return st == NodeState::Done || st == NodeState::Failed || st == NodeState::Skipped;
          });
      if (consumed) release_tensors(s->values[wf.pos[p]]);
    }
  }

  void skip(Scope* s, uint32_t node) {
    const WorkflowIndex& wf = *s->wf;
    std::vector<uint32_t> stack{node};
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      uint32_t pos = wf.pos[x];
      if (s->state[pos] == NodeState::Done || s->state[pos] == NodeState::Failed ||
          s->state[pos] == NodeState::Skipped)
        continue;
      if (s->state[pos] == NodeState::Running && x != node) continue;  // finishes on its own
      s->state[pos] = NodeState::Skipped;
      --s->unfinished;
      ++s->skipped;
      if (int32_t st = fused_stage(s, x); st >= 0) {  // a stage runs whole or not at all
        s->parked.erase(st);
        for (uint32_t y : stage_index.at(s->wf).stages[static_cast<size_t>(st)].nodes)
          stack.push_back(y);
      }
      if (is_target(s, x)) resolve({TargetResult::State::Skipped, {}, {}});
      if (!quiet(s)) opt.events->emit("skipped", {{"node", key(s, x)}});
      for (uint32_t d : wf.dependents[x]) stack.push_back(d);
    }
    scope_maybe_done(s);
  }

  void fail(Scope* s, uint32_t node, const Failure& f) {
    if (is_target(s, node)) resolve({TargetResult::State::Failed, {}, f});
    const WorkflowIndex& wf = *s->wf;
    uint32_t pos = wf.pos[node];
    s->state[pos] = NodeState::Failed;
    --s->unfinished;
    s->failed = true;
    if (!s->failure) s->failure = f;
    if (s == top && !root_failure) root_failure = f;
    if (wf.w->failure_policy != ir::FailurePolicy::Continue) abort(s);
    for (uint32_t d : wf.dependents[node]) {
      uint32_t dp = wf.pos[d];
      if (s->state[dp] == NodeState::Waiting) skip(s, d);
    }
    scope_maybe_done(s);
  }

  /// Nothing new starts in `s` or below it, and its running tasks are cancelled.
  void abort(Scope* s) {
    if (s->aborting) return;
    s->aborting = true;
    for (const std::unique_ptr<TaskJob>& j : running) {
      for (Scope* x = j->scope; x != nullptr; x = x->parent) {
        if (x == s) j->cancel = true;
      }
    }
    // Tasks not started yet are dropped; skipping them may finish scopes, which may
    // abort others, so collect them first.
    std::vector<std::unique_ptr<TaskJob>> dropped;
    for (auto it = ready.begin(); it != ready.end();) {
      bool below = false;
      for (Scope* x = (*it)->scope; x != nullptr; x = x->parent) below |= x == s;
      if (below) {
        dropped.push_back(std::move(*it));
        it = ready.erase(it);
      } else {
        ++it;
      }
    }
    for (std::unique_ptr<TaskJob>& j : dropped) {
      --j->scope->busy;
      unstart_stage(*j);
      skip(j->scope, j->node);
    }
    std::vector<std::pair<Scope*, uint32_t>> parked_below;
    for (const std::unique_ptr<Scope>& x : scopes) {
      if (x->parked.empty()) continue;
      bool below = false;
      for (Scope* y = x.get(); y != nullptr; y = y->parent) below |= y == s;
      if (!below) continue;
      for (const auto& [st, nodes] : x->parked) {
        for (uint32_t n : nodes) parked_below.emplace_back(x.get(), n);
      }
    }
    for (auto [x, n] : parked_below) skip(x, n);
  }

  // --- fused GPU stages --------------------------------------------------------------

  /// Member `node` of stage `st` waits for the rest of its stage; the last to arrive
  /// starts the stage as one job.
  void park(Scope* s, uint32_t node, int32_t st) {
    s->state[s->wf->pos[node]] = NodeState::Waiting;  // until the stage starts
    std::vector<uint32_t>& here = s->parked[st];
    here.push_back(node);
    const FusedStage& fs = stage_index.at(s->wf).stages[static_cast<size_t>(st)];
    if (here.size() < fs.nodes.size()) return;
    s->parked.erase(st);
    auto job = std::make_unique<TaskJob>();
    job->scope = s;
    job->node = fs.nodes.front();
    job->stage = st;
    job->cpu = fs.cpu;
    job->mem = fs.mem;
    job->gpu = fs.gpu;
    for (size_t i = 0; i < fs.nodes.size(); ++i) {
      uint32_t id = fs.nodes[i];
      const ir::Node& n = s->wf->w->nodes[id];
      s->state[s->wf->pos[id]] = NodeState::Running;
      StageMember mem;
      mem.key = key(s, id);
      mem.node = &n;
      mem.args = call_args(s, n, m.tasks[n.task.index].inputs);
      mem.internal = fs.internal[i];
      mem.leaves = fs.leaves[i];
      for (size_t p = 0; p < mem.internal.size(); ++p) {
        if (mem.internal[p]) mem.args[m.tasks[n.task.index].inputs[p].name] = Value(nullptr);
      }
      job->members.push_back(std::move(mem));
    }
    // A resumed run: the stage finished before when every member is in the journal with
    // the same arguments.
    bool journaled =
        std::all_of(job->members.begin(), job->members.end(), [&](const StageMember& x) {
          auto found = opt.finished.find(x.key);
          return found != opt.finished.end() &&
                 found->second["args"] == executor.args_digest(m.tasks[x.node->task.index], x.args);
        });
    if (journaled) {
      for (size_t i = 0; i < fs.nodes.size(); ++i) {
        const StageMember& x = job->members[i];
        const ir::Task& t = m.tasks[x.node->task.index];
        opt.events->emit("resumed", {{"node", x.key}, {"task", t.name}});
        ++opt.events->counters().done;
        complete(s, fs.nodes[i], unpack(t, opt.finished.find(x.key)->second["outputs"]));
      }
      return;
    }
    ++s->busy;
    ready.push_back(std::move(job));
  }

  /// A stage job that will not run: its members wait again, so that skip() takes them.
  void unstart_stage(const TaskJob& j) {
    for (const StageMember& x : j.members) {
      for (uint32_t id = 0; id < j.scope->wf->w->nodes.size(); ++id) {
        if (&j.scope->wf->w->nodes[id] == x.node)
          j.scope->state[j.scope->wf->pos[id]] = NodeState::Waiting;
      }
    }
  }

  /// Runs a stage job on a worker thread (without the lock): each member's outputs, or
  /// nullopt with `failure`.
  std::optional<std::vector<Value>> run_stage(TaskJob& job, Failure& failure) {
    const FusedStage& fs = stage_index.at(job.scope->wf).stages[static_cast<size_t>(job.stage)];
    StageJobOptions o;
    o.executor = static_cast<const ExecutorOptions&>(opt);
    o.node_executor = &executor;
    o.device = stage_device.get();
    o.threads = job.cpu;
    std::string dir = opt.store->node_dir(job.members.front().key) + ".stage";
    std::lock_guard<std::mutex> one_at_a_time(stage_mu);
    return run_stage_job(m, o, fs.number, job.members, dir, job.cancel, failure);
  }

  // --- tasks -------------------------------------------------------------------------

  void start_task(Scope* s, uint32_t node, const ir::Node& n) {
    const ir::Task& t = m.tasks[n.task.index];
    Value args = call_args(s, n, t.inputs);
    // A journaled result counts only for the same arguments: an upstream task that ran
    // again may have produced different ones (a list in another order, say).
    auto found = opt.finished.find(key(s, node));
    if (found != opt.finished.end() && found->second["args"] == executor.args_digest(t, args)) {
      opt.events->emit("resumed", {{"node", key(s, node)}, {"task", t.name}});
      ++opt.events->counters().done;
      complete(s, node, unpack(t, found->second["outputs"]));
      return;
    }
    auto job = std::make_unique<TaskJob>();
    job->scope = s;
    job->node = node;
    job->args = std::move(args);
    const ir::Attributes& attributes = n.attributes();  // resolved by resolve-attributes
    job->cpu = attributes.cpu;
    job->mem = attributes.mem_bytes;
    job->gpu = attributes.gpu;
    ++s->busy;
    ready.push_back(std::move(job));
  }

  /// A task's outputs object as the node's value: the object itself for named outputs,
  /// the one value otherwise.
  static Value unpack(const ir::Task& t, const Value& outputs) {
    if (t.named_outputs || t.outputs.empty()) return outputs;
    return outputs.contains("o") ? outputs["o"] : Value(nullptr);
  }

  bool fits(const TaskJob& j) const {
    return j.cpu <= cpu_free + 1e-9 && j.mem <= mem_free && j.gpu <= gpu_free;
  }

  bool oversize(const TaskJob& j) const {
    return j.cpu > opt.machine.cpus + 1e-9 || j.mem > opt.machine.mem_bytes ||
           j.gpu > opt.machine.gpus;
  }

  /// Admits ready tasks while slots and tokens allow. A task asking more than the machine
  /// has runs alone.
  void dispatch() {
    for (auto it = ready.begin();
         it != ready.end() && running.size() < static_cast<size_t>(opt.jobs);) {
      TaskJob& j = **it;
      bool alone = oversize(j);
      if (alone ? !running.empty() : !fits(j)) {
        // A task that must run alone waits for the others to finish; nothing behind it
        // may start meanwhile, or it would wait forever behind a stream of small ones.
        if (alone) break;
        ++it;
        continue;
      }
      if (alone && !warned_oversize) {
        warned_oversize = true;
        opt.events->log(fmt::format(
            "flytec: warning: '{}' asks for more than this machine has (cpu {}, mem {}, gpu {}); "
            "it runs alone",
            key(j.scope, j.node), j.cpu, j.mem, j.gpu));
      }
      cpu_free -= j.cpu;
      mem_free -= j.mem;
      gpu_free -= j.gpu;
      // Specific devices, so that two one-GPU tasks do not both use device 0.
      for (size_t g = 0; g < gpu_busy.size() && static_cast<int64_t>(j.gpu_ids.size()) < j.gpu;
           ++g) {
        if (!gpu_busy[g]) {
          gpu_busy[g] = true;
          j.gpu_ids.push_back(static_cast<int>(g));
        }
      }
      running.push_back(std::move(*it));
      it = ready.erase(it);
      runnable.push_back(running.back().get());
      work_cv.notify_one();
      if (alone) break;
    }
  }

  void worker() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      work_cv.wait(lock, [&] { return stop_workers || !runnable.empty(); });
      if (stop_workers) return;
      TaskJob* job = runnable.front();
      runnable.pop_front();
      std::string k = key(job->scope, job->node);
      const ir::Node& n = job->scope->wf->w->nodes[job->node];
      lock.unlock();
      ++opt.events->counters().running;
      Failure failure;
      std::optional<Value> outputs;
      std::optional<std::string> gpus;
      if (job->gpu > 0) gpus = fmt::format("{}", fmt::join(job->gpu_ids, ","));
      std::optional<std::vector<Value>> stage_outputs;
      try {
        if (job->stage >= 0) {
          stage_outputs = run_stage(*job, failure);
        } else {
          outputs = executor.run(k, n, job->args, gpus, job->cancel, failure);
        }
      } catch (const std::exception& e) {
        failure.error = std::string("internal error: ") + e.what();
        if (failure.node.empty()) failure.node = k;
      }
      --opt.events->counters().running;
      lock.lock();
      if (job->stage >= 0) {
        finish_stage(job, stage_outputs, failure);
      } else {
        finish_job(job, outputs, failure);
      }
      drain();
    }
  }

  /// A stage job ended: its members complete in order, or the one at fault fails and the
  /// others are skipped (a stage runs whole or not at all).
  void finish_stage(TaskJob* job, const std::optional<std::vector<Value>>& outputs,
                    const Failure& failure) {
    Scope* s = job->scope;
    cpu_free += job->cpu;
    mem_free += job->mem;
    gpu_free += job->gpu;
    for (int g : job->gpu_ids) gpu_busy[static_cast<size_t>(g)] = false;
    std::vector<StageMember> members = std::move(job->members);
    std::vector<uint32_t> ids;
    for (const StageMember& x : members) {
      for (uint32_t id = 0; id < s->wf->w->nodes.size(); ++id) {
        if (&s->wf->w->nodes[id] == x.node) ids.push_back(id);
      }
    }
    running.remove_if([&](const std::unique_ptr<TaskJob>& j) { return j.get() == job; });
    --s->busy;
    if (outputs) {
      for (size_t i = 0; i < ids.size(); ++i) {
        ++opt.events->counters().done;
        const ir::Task& t = m.tasks[s->wf->w->nodes[ids[i]].task.index];
        complete(s, ids[i], unpack(t, (*outputs)[i]));
      }
    } else {
      uint32_t at = ids.front();
      for (size_t i = 0; i < ids.size(); ++i) {
        if (members[i].key == failure.node) at = ids[i];
      }
      for (uint32_t id : ids) {
        if (id != at) s->state[s->wf->pos[id]] = NodeState::Waiting;  // skipped below
      }
      if (failure.error == "cancelled") {
        skip(s, at);
      } else {
        ++opt.events->counters().failed;
        fail(s, at, failure);
        for (uint32_t id : ids) {
          if (s->state[s->wf->pos[id]] == NodeState::Waiting) skip(s, id);
        }
      }
    }
    done_cv.notify_all();
  }

  void finish_job(TaskJob* job, const std::optional<Value>& outputs, const Failure& failure) {
    Scope* s = job->scope;
    uint32_t node = job->node;
    cpu_free += job->cpu;
    mem_free += job->mem;
    gpu_free += job->gpu;
    for (int g : job->gpu_ids) gpu_busy[static_cast<size_t>(g)] = false;
    const ir::Task& t = m.tasks[s->wf->w->nodes[node].task.index];
    running.remove_if([&](const std::unique_ptr<TaskJob>& j) { return j.get() == job; });
    --s->busy;
    if (target != nullptr && s->mode == Scope::Mode::Full && failure.error != "cancelled") {
      const ir::Node& n = s->wf->w->nodes[node];
      target->hooks->finished(key(s, node), n,
                              outputs
                                  ? TargetResult{TargetResult::State::Done, unpack(t, *outputs), {}}
                                  : TargetResult{TargetResult::State::Failed, {}, failure});
    }
    if (outputs) {
      ++opt.events->counters().done;
      complete(s, node, unpack(t, *outputs));
    } else {
      if (failure.error != "cancelled") ++opt.events->counters().failed;
      if (failure.error == "cancelled") {
        skip(s, node);
      } else {
        fail(s, node, failure);
      }
    }
    done_cv.notify_all();
  }
};

Engine::Engine(const ir::Module& m, EngineOptions options)
    : impl_(std::make_unique<Impl>(m, std::move(options))) {}

Engine::~Engine() = default;

void Engine::interrupt() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->finished) return;  // too late: the run's outcome stands
  impl_->interrupted = true;
  if (impl_->top != nullptr) impl_->abort(impl_->top);
  impl_->done_cv.notify_all();
}

Outcome Engine::run(uint32_t w, const Value& inputs) {
  Impl& I = *impl_;
  std::unique_lock<std::mutex> lock(I.mu);
  const WorkflowIndex& wf = *I.index[w];
  Scope* s = I.new_scope(wf, 0, nullptr, nullptr, 0, "");
  s->root = s;
  for (const ir::Param& p : wf.w->inputs)
    s->inputs.push_back(inputs.contains(p.name) ? inputs[p.name] : Value(nullptr));
  I.top = s;
  if (I.target != nullptr) {
    if (I.target->steps.empty()) {
      s->mode = Scope::Mode::Upstream;
    } else {
      I.enter_path(s, 0);
    }
  }
  I.start_scope(s);
  I.drain();
  I.done_cv.wait(lock, [&] { return I.finished; });
  Outcome out;
  if (I.interrupted && !I.root_failure) {
    out.status = Outcome::Status::Interrupted;
    return out;
  }
  if (s->failed) {
    Failure f = I.root_failure.value_or(s->failure.value_or(Failure{}));
    out.node = f.node;
    out.task = f.task;
    out.error = f.error;
    out.log_tail = f.log_tail;
    return out;
  }
  out.status = Outcome::Status::Ok;
  out.outputs = Value::object();
  for (const auto& [name, ref] : wf.w->results) out.outputs[name] = I.lookup(s, ref);
  return out;
}

}  // namespace flyte::rt
