// The node mode: one node of the plan per process, against a shared store.
#include "backends/local/runtime/NodeMode.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "backends/local/runtime/Cache.h"
#include "backends/local/runtime/Engine.h"
#include "backends/local/runtime/GraphIndex.h"
#include "backends/local/runtime/Journal.h"
#include "backends/local/runtime/NodeStore.h"
#include "backends/local/runtime/Process.h"
#include "ir/NodeKey.h"
#include "support/AtomicFile.h"

namespace flyte::rt {
namespace {

constexpr int kOk = 0, kFailed = 1, kBadInput = 2, kRequeue = 75, kInterrupted = 130;

int usage_error(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kBadInput;
}

using Indexes = std::vector<std::unique_ptr<WorkflowIndex>>;

const char* kind_name(ir::Node::Kind k) {
  switch (k) {
    case ir::Node::Kind::Task: return "task";
    case ir::Node::Kind::Subworkflow: return "subworkflow";
    case ir::Node::Kind::Branch: return "branch";
    case ir::Node::Kind::Map: return "map";
    case ir::Node::Kind::Expr: return "expr";
    case ir::Node::Kind::Fail: return "fail";
  }
  return "expr";
}

/// A node key checked against the plan: its steps, the workflow and node it names.
struct ResolvedKey {
  std::vector<ir::NodeKeyStep> steps;
  uint32_t workflow = 0;
  uint32_t node = 0;
};

/// True when `node` of `wf` lies in body `body`, itself or inside branch arms there
/// (a node inside a map's body needs an item step).
bool reachable(const WorkflowIndex& wf, uint32_t body, uint32_t node) {
  for (uint32_t x = node;;) {
    if (wf.owner[x] == body) return true;
    if (wf.owner[x] == 0) return false;
    x = wf.bodies[wf.owner[x]].parent_node;
    if (wf.w->nodes[x].kind != ir::Node::Kind::Branch) return false;
  }
}

std::optional<ResolvedKey> resolve_key(const ir::Module& m, const Indexes& ix, uint32_t wi,
                                       const std::string& key, std::string& error) {
  std::optional<std::vector<ir::NodeKeyStep>> steps = ir::parse_node_key(key);
  auto unknown = [&](const std::string& why) {
    error = fmt::format("unknown node '{}'{}; --list-nodes lists them", key,
                        why.empty() ? "" : " (" + why + ")");
    return std::nullopt;
  };
  if (!steps) return unknown("not a node key");
  uint32_t w = wi;
  uint32_t body = 0;
  for (size_t i = 0; i < steps->size(); ++i) {
    const ir::NodeKeyStep& s = (*steps)[i];
    const WorkflowIndex& wf = *ix[w];
    if (s.node.index >= wf.w->nodes.size()) return unknown("no such node");
    if (!reachable(wf, body, s.node.index)) return unknown("not in that scope");
    const ir::Node& n = wf.w->nodes[s.node.index];
    if (i + 1 == steps->size()) {
      return ResolvedKey{*steps, w, s.node.index};
    }
    if (s.item) {
      if (n.kind != ir::Node::Kind::Map) return unknown(fmt::format("n{} is no map", s.node.index));
      body = wf.node_bodies[s.node.index][0];
    } else {
      if (n.kind != ir::Node::Kind::Subworkflow)
        return unknown(fmt::format("n{} is no sub-workflow", s.node.index));
      w = n.workflow.index;
      body = 0;
    }
  }
  (void)m;
  return unknown("");
}

std::string item_key(const std::string& key, int64_t item) {
  std::string p = ir::map_item_prefix(key, static_cast<uint64_t>(item));
  return p.substr(0, p.size() - 1);
}

/// The store, seen by the scheduler (NodeTarget.h).
class StoreHooks final : public TargetHooks {
 public:
  StoreHooks(const NodeStore& store, const TypeTable& types, Journal* journal, const Cache* cache)
      : store_(store), types_(types), journal_(journal), cache_(cache) {}

  StoredNode lookup(const std::string& key, TypeId type) override {
    StoredNode r;
    switch (store_.state(key)) {
      case NodeStore::State::Done: {
        std::string error;
        std::optional<Value> v = store_.value(key, error);
        // A record is a file like any other: checked, not trusted.
        if (v && !check_value(*v, types_, type, error))
          error = fmt::format("the record of node '{}' in '{}' is damaged: {}", key,
                              store_.node_dir(key), error);
        if (!v || !error.empty()) {
          if (damaged.empty()) damaged = error;
          return r;
        }
        r.state = StoredNode::State::Done;
        r.value = std::move(*v);
        return r;
      }
      case NodeStore::State::Skipped: r.state = StoredNode::State::Skipped; return r;
      case NodeStore::State::Failed:
        r.state = StoredNode::State::Failed;
        r.failure = store_.failure(key);
        if (!failed_upstream) failed_upstream = r.failure;
        return r;
      default: return r;
    }
  }
  StoredNode restore(const std::string& key, TypeId type, const std::string& cache_key,
                     const std::function<Value(const Value&)>& value_of) override {
    if (cache_ == nullptr) return {};
    // Built beside the nodes, then renamed into place whole: a process that restores the
    // same node at the same time loses the rename and reads the winner's record.
    std::string dir = fmt::format("{}/.restore-{}-{}", store_.path(), key, ::getpid());
    std::error_code ec;
    sweep_restores();
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    std::optional<Value> outputs = ec ? std::nullopt : cache_->lookup(cache_key, dir);
    if (!outputs) {
      std::filesystem::remove_all(dir, ec);
      return {};
    }
    Value value = value_of(with_prefix(*outputs, dir + "/", store_.node_dir(key) + "/"));
    bool lost = false;
    std::string error;
    if (store_.adopt(key, dir, value, lost, error)) {
      std::cerr << fmt::format("node '{}' restored from the cache (entry {})\n", key, cache_key);
    } else if (!lost) {
      std::cerr << "warning: " << error << "\n";
      return {};
    }
    return lookup(key, type);
  }
  void missing(const std::string& key) override {
    // Keys of one shape sort by length first: `n1-2.n3` before `n1-10.n3`.
    ++missing_count;
    if (missing_key.empty() || key.size() < missing_key.size() ||
        (key.size() == missing_key.size() && key < missing_key))
      missing_key = key;
  }
  void finished(const std::string& key, const ir::Node&, const TargetResult& r) override {
    std::string error;
    if (journal_ != nullptr) journal_->flush();
    bool ok = true;
    switch (r.state) {
      case TargetResult::State::Done: ok = store_.publish_done(key, r.value, error); break;
      case TargetResult::State::Skipped:
        ok = store_.publish_skipped(key, "in a branch arm not taken", error);
        break;
      case TargetResult::State::Failed: ok = store_.publish_failed(key, r.failure, error); break;
    }
    if (!ok) std::cerr << "warning: " << error << "\n";
  }
  void resolved(const TargetResult& r) override { result = r; }
  void refused(const std::string& why) override { refusal = why; }

  std::optional<TargetResult> result;
  std::string missing_key, damaged, refusal;
  size_t missing_count = 0;
  std::optional<Failure> failed_upstream;

 private:
  /// Removes what restores killed midway left beside the nodes: `.restore-*` folders not
  /// touched for an hour (their process is gone; it may have run on another machine).
  void sweep_restores() const {
    std::error_code ec;
    auto now = std::filesystem::file_time_type::clock::now();
    for (std::filesystem::directory_iterator it(store_.path(), ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().filename().string().rfind(".restore-", 0) != 0) continue;
      std::error_code tec;
      auto t = std::filesystem::last_write_time(it->path(), tec);
      if (!tec && now - t > std::chrono::hours(1)) std::filesystem::remove_all(it->path(), tec);
    }
  }

  /// `v` with every string that starts with `from` starting with `to` instead (the paths
  /// of restored files, from where they were built to where they are published).
  static Value with_prefix(const Value& v, const std::string& from, const std::string& to) {
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      return s.rfind(from, 0) == 0 ? Value(to + s.substr(from.size())) : v;
    }
    Value out = v;
    if (v.is_object() || v.is_array()) {
      for (auto it = out.begin(); it != out.end(); ++it) *it = with_prefix(*it, from, to);
    }
    return out;
  }

  const NodeStore& store_;
  const TypeTable& types_;
  Journal* journal_;
  const Cache* cache_;
};

/// SIGINT, SIGTERM and SIGUSR1 while a node runs: one thread takes them.
class SignalThread {
 public:
  SignalThread() {
    sigemptyset(&sigs_);
    for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) sigaddset(&sigs_, s);
    pthread_sigmask(SIG_BLOCK, &sigs_, nullptr);
    thread_ = std::thread([this] { loop(); });
  }
  ~SignalThread() {
    done_ = true;
    ::pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;

  /// The engine to stop now (null: none runs).
  void set_engine(Engine* e) {
    std::lock_guard<std::mutex> lock(mu_);
    engine_ = e;
    if (e != nullptr && (interrupted || requeue)) e->interrupt();
  }
  std::atomic<bool> interrupted{false}, requeue{false};

 private:
  void stop_engine() {
    std::lock_guard<std::mutex> lock(mu_);
    if (engine_ != nullptr) engine_->interrupt();
  }
  void on_term() {
    if (interrupted.exchange(true)) {
      kill_running_processes();
      std::cerr << "\nflytec: interrupted again; exiting now\n";
      ::_exit(kInterrupted);
    }
    std::cerr << "flytec: interrupted; stopping\n";
    stop_engine();
  }
  void loop() {
    for (;;) {
      int sig = 0;
      if (done_) return;  // (its SIGUSR2 may have been taken by the wait below)
      if (sigwait(&sigs_, &sig) != 0) continue;
      if (done_) return;
      if (sig == SIGUSR2) continue;
      if (sig != SIGUSR1) {
        on_term();
        continue;
      }
      if (requeue.exchange(true)) continue;
      // Checkpoint and requeue: the running commands get SIGUSR1 and stop on their own
      // time (a SIGINT or SIGTERM meanwhile still stops them at once).
      std::cerr << "flytec: SIGUSR1: asking the task to checkpoint, then exiting for requeue\n";
      stop_for_checkpoint(SIGUSR1);
      while (running_process_count() > 0 && !done_) {
        timespec ts{0, 50'000'000};
        int s = sigtimedwait(&sigs_, nullptr, &ts);
        if (s == SIGINT || s == SIGTERM) on_term();
      }
      stop_engine();
    }
  }
  sigset_t sigs_;
  std::thread thread_;
  std::mutex mu_;
  Engine* engine_ = nullptr;
  std::atomic<bool> done_{false};
};

/// The store opened and checked against this executable: its inputs.
struct OpenStore {
  std::optional<NodeStore> store;
  Value inputs;
};

int open_store(const NodeModeContext& ctx, const NodeModeOptions& o, OpenStore& out) {
  std::string error;
  out.store = NodeStore::open(o.store, error);
  if (!out.store) return usage_error(error);
  const ir::Module& m = *ctx.module;
  const ir::Workflow& w = m.workflows[ctx.workflow];
  const Value& meta = out.store->meta();
  if (meta.value("plan", Value()) != ctx.plan_hash || meta.value("workflow", Value()) != w.name)
    return usage_error(fmt::format(
        "the store '{}' was made by a different plan or workflow; use another store", o.store));
  out.inputs = meta.contains("inputs") ? meta["inputs"] : Value();
  for (const ir::Param& p : w.inputs) {
    std::string why;
    if (!out.inputs.is_object() || !out.inputs.contains(p.name) ||
        !check_value(out.inputs[p.name], m.types, p.type, why))
      return usage_error(fmt::format("the store '{}' has a damaged run.json: input '{}': {}",
                                     o.store, p.name, why.empty() ? "missing" : why));
  }
  return kOk;
}

void print_failure(const Failure& f, const std::string& node) {
  std::cerr << fmt::format("error: node '{}' failed{}{}: {}\n", node,
                           f.node.empty() || f.node == node ? "" : " at '" + f.node + "'",
                           f.task.empty() ? "" : " (task '" + f.task + "')", f.error);
  if (!f.log_tail.empty()) {
    std::cerr << "  last lines of its log:\n";
    std::istringstream lines(f.log_tail);
    for (std::string l; std::getline(lines, l);) std::cerr << "    | " << l << "\n";
  }
}

/// Runs the scheduler towards `target` until what it needs from the store is there or
/// `wait_s` has passed. Returns an exit code when it must stop (bad store, refusal,
/// missing upstream, signal), otherwise nullopt with `hooks` holding the outcome.
struct EngineRun {
  std::optional<int> rc;
  std::string message;  // with rc: what to print (nothing for a signal)
  Outcome outcome;
};

EngineRun run_towards(const NodeModeContext& ctx, const NodeModeOptions& o, const NodeStore& store,
                      const Value& inputs, NodeTarget target, StoreHooks*& hooks_out,
                      std::unique_ptr<StoreHooks>& hooks_owner, Journal* journal, Events& events,
                      Cache* cache, SignalThread* signals, const std::string& what) {
  EngineRun out;
  auto start = std::chrono::steady_clock::now();
  RunDirStore rds(store.path(), journal, FileSystem::real());
  for (;;) {
    hooks_owner = std::make_unique<StoreHooks>(store, ctx.module->types, journal, cache);
    hooks_out = hooks_owner.get();
    target.hooks = hooks_owner.get();
    EngineOptions eo;
    eo.machine = Machine::probe();
    eo.jobs = static_cast<int>(eo.machine.cpus);
    eo.run_id = store.meta().value("id", "store");
    eo.store = &rds;
    eo.cache = cache;
    eo.overwrite_cache = ctx.overwrite_cache;
    eo.events = &events;
    eo.retry_backoff_s = ctx.retry_backoff_s;
    eo.target = &target;
    {
      Engine engine(*ctx.module, std::move(eo));
      if (signals != nullptr) signals->set_engine(&engine);
      try {
        out.outcome = engine.run(ctx.workflow, inputs);
      } catch (const std::exception& e) {
        out.outcome.status = Outcome::Status::Failed;
        out.outcome.error = std::string("internal error: ") + e.what();
      }
      if (signals != nullptr) signals->set_engine(nullptr);
    }
    if (journal != nullptr) journal->flush();
    StoreHooks& h = *hooks_owner;
    if (signals != nullptr && signals->interrupted) {
      out.rc = kInterrupted;
      return out;
    }
    if (signals != nullptr && signals->requeue) {
      out.rc = kRequeue;
      return out;
    }
    if (!h.damaged.empty() || !h.refusal.empty()) {
      out.rc = kBadInput;
      out.message = h.damaged.empty() ? h.refusal : h.damaged;
      return out;
    }
    if (h.missing_key.empty()) return out;
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (waited >= o.wait_upstream_s) {
      out.rc = kBadInput;
      out.message =
          fmt::format("{}: upstream node '{}' is not done{} (waited {:g}s)", what, h.missing_key,
                      h.missing_count > 1 ? fmt::format(", nor {} other", h.missing_count - 1) : "",
                      o.wait_upstream_s);
      return out;
    }
    std::this_thread::sleep_for(
        std::chrono::duration<double>(std::min(0.5, std::max(0.01, o.wait_upstream_s - waited))));
  }
}

/// The cache as a local run uses it; null (with a warning) when unusable. `reading`: only
/// to restore the records of memoized steps from (no warning, nothing made or swept).
std::optional<Cache> open_cache(const NodeModeContext& ctx, bool reading = false) {
  std::optional<Cache> cache;
  if (ctx.cache_dir.empty()) return cache;
  if (reading) {
    if (std::filesystem::is_directory(ctx.cache_dir) &&
        ::access(ctx.cache_dir.c_str(), W_OK | X_OK) == 0)
      cache.emplace(ctx.cache_dir);
    return cache;
  }
  std::error_code ec;
  std::filesystem::create_directories(ctx.cache_dir, ec);
  if (!std::filesystem::is_directory(ctx.cache_dir) ||
      ::access(ctx.cache_dir.c_str(), W_OK | X_OK) != 0) {
    std::cerr << fmt::format("warning: the cache directory '{}' cannot be used; running uncached\n",
                             ctx.cache_dir);
    return cache;
  }
  cache.emplace(ctx.cache_dir);
  cache->sweep();
  return cache;
}

/// run_towards for a command that only reads the store (`--map-length`, `--branch-arm`,
/// `--collect`): no journal, no signals; upstream `@cache` tasks that a memoized step
/// skipped are restored from the cache, when its directory exists.
EngineRun read_towards(const NodeModeContext& ctx, const NodeModeOptions& o, const OpenStore& os,
                       NodeTarget target, StoreHooks*& hooks, std::unique_ptr<StoreHooks>& owner,
                       Events& events, const std::string& what) {
  std::optional<Cache> cache = open_cache(ctx, true);
  return run_towards(ctx, o, *os.store, os.inputs, std::move(target), hooks, owner, nullptr, events,
                     cache ? &*cache : nullptr, nullptr, what);
}

/// Writes `--digest-out`'s file: `digest`'s first 16 hex digits. An error (kFailed) when
/// there is none (a file in the value is unreadable) or it cannot be written: a
/// memoization key made without it would be wrong.
int write_digest(const NodeModeOptions& o, const std::optional<std::string>& digest) {
  if (o.digest_out.empty()) return kOk;
  std::string error = "a file in the value is unreadable";
  if (!digest || !write_file_atomically(o.digest_out, digest->substr(0, 16), error)) {
    std::cerr << fmt::format("error: cannot write --digest-out '{}': {}\n", o.digest_out, error);
    return kFailed;
  }
  return kOk;
}

/// The digest of node `key`'s record: its value's (with its files' contents), or of
/// `skipped`.
std::optional<std::string> record_digest(const NodeStore& store, const std::string& key,
                                         const TypeTable& types, TypeId type) {
  if (store.state(key) == NodeStore::State::Skipped)
    return value_digest(Value("skipped"), types, types.string());
  std::string error;
  std::optional<Value> v = store.value(key, error);
  return v ? value_digest(*v, types, type) : std::nullopt;
}

int do_init(const NodeModeContext& ctx, const NodeModeOptions& o) {
  int rc = 0;
  std::optional<Value> inputs = ctx.gather_inputs(rc);
  if (!inputs) return rc;
  const ir::Workflow& w = ctx.module->workflows[ctx.workflow];
  Value meta = {
      {"id", "store"}, {"workflow", w.name}, {"plan", ctx.plan_hash}, {"inputs", *inputs}};
  std::string error;
  int r = NodeStore::init(o.store, meta, error);
  if (r == 2) return usage_error(error);
  std::cerr << fmt::format("store '{}' {}\n", o.store,
                           r == 0 ? "created" : "reopened (the same inputs)");
  // The inputs with their files' contents, keyed by name.
  Value contents = Value::object();
  for (const ir::Param& p : w.inputs) {
    std::optional<Value> c = with_contents(inputs->contains(p.name) ? (*inputs)[p.name] : Value(),
                                           ctx.module->types, p.type);
    if (!c) return write_digest(o, std::nullopt);
    contents[p.name] = std::move(*c);
  }
  Hasher h;
  h.add(canonical(contents));
  return write_digest(o, h.hex());
}

int do_run_node(const NodeModeContext& ctx, const NodeModeOptions& o, const Indexes& ix) {
  const ir::Module& m = *ctx.module;
  std::string error;
  std::optional<ResolvedKey> rk = resolve_key(m, ix, ctx.workflow, o.run_node, error);
  if (!rk) return usage_error(error);
  const ir::Node& n = m.workflows[rk->workflow].nodes[rk->node];
  if (o.item && n.kind != ir::Node::Kind::Map)
    return usage_error(
        fmt::format("--item is for map nodes; '{}' is a {} node", o.run_node, kind_name(n.kind)));
  OpenStore os;
  if (int rc = open_store(ctx, o, os); rc != kOk) return rc;
  const NodeStore& store = *os.store;
  std::string key = o.item ? item_key(o.run_node, *o.item) : o.run_node;
  TypeId value_type = o.item ? m.types.get(n.type).elem : n.type;
  NodeStore::State st = store.state(key);
  if (st == NodeStore::State::Done || st == NodeStore::State::Skipped) {
    std::cerr << fmt::format("node '{}' was {} already; nothing to do\n", key,
                             NodeStore::state_name(st));
    return write_digest(o, record_digest(store, key, m.types, value_type));
  }
  if (st == NodeStore::State::Failed) store.clear_failed(key);  // runs again

  // Before any thread starts, so that every thread has the signals blocked.
  SignalThread signals;
  std::optional<Cache> cache = open_cache(ctx);
  std::unique_ptr<Journal> journal = Journal::open(store.path() + "/journal", error);
  if (!journal) return usage_error(error);
  Events events(ctx.events.empty() ? store.path() + "/events.jsonl" : ctx.events, false, error);
  if (!error.empty()) return usage_error(error);

  NodeTarget target;
  target.steps = rk->steps;
  if (o.item) {
    target.steps.back().item = static_cast<uint64_t>(*o.item);
    target.item = true;
  }
  store.mark_running(key);
  StoreHooks* hooks = nullptr;
  std::unique_ptr<StoreHooks> owner;
  EngineRun er = run_towards(ctx, o, store, os.inputs, target, hooks, owner, journal.get(), events,
                             cache ? &*cache : nullptr, &signals, "node '" + key + "'");
  events.stop();
  store.clear_running(key);
  if (!hooks->result) {
    std::error_code ec;
    std::filesystem::remove(store.node_dir(key), ec);  // only if empty: it never ran
  }
  if (er.rc) {
    if (!er.message.empty()) std::cerr << "error: " << er.message << "\n";
    if (*er.rc == kRequeue)
      std::cerr << fmt::format("node '{}' stopped for requeue (exit 75); run it again to resume\n",
                               key);
    return *er.rc;
  }
  if (!hooks->result) {
    std::cerr << fmt::format("error: node '{}' did not run: {}\n", key,
                             er.outcome.error.empty() ? "nothing reached it" : er.outcome.error);
    return kFailed;
  }
  const TargetResult& r = *hooks->result;
  switch (r.state) {
    case TargetResult::State::Done:
      if (!store.publish_done(key, r.value, error)) {
        std::cerr << "error: " << error << "\n";
        return kFailed;
      }
      std::cerr << fmt::format("node '{}' done\n", key);
      return write_digest(o, record_digest(store, key, m.types, value_type));
    case TargetResult::State::Failed: {
      Failure f = r.failure;
      if (f.node.empty()) f.node = key;
      if (!store.publish_failed(key, f, error)) std::cerr << "warning: " << error << "\n";
      print_failure(f, key);
      return kFailed;
    }
    case TargetResult::State::Skipped: break;
  }
  std::string why = hooks->failed_upstream
                        ? fmt::format("upstream node '{}' failed", hooks->failed_upstream->node)
                        : "an upstream node was skipped, or its branch arm was not taken";
  if (!store.publish_skipped(key, why, error)) std::cerr << "warning: " << error << "\n";
  events.emit("skipped", {{"node", key}});
  if (hooks->failed_upstream &&
      m.workflows[ctx.workflow].failure_policy != ir::FailurePolicy::Continue) {
    std::cerr << fmt::format("error: node '{}' cannot run: {}: {}\n", key, why,
                             hooks->failed_upstream->error);
    return kFailed;
  }
  std::cerr << fmt::format("node '{}' skipped: {}\n", key, why);
  return write_digest(o, record_digest(store, key, m.types, value_type));
}

int do_map_length(const NodeModeContext& ctx, const NodeModeOptions& o, const Indexes& ix) {
  const ir::Module& m = *ctx.module;
  std::string error;
  std::optional<ResolvedKey> rk = resolve_key(m, ix, ctx.workflow, o.map_length, error);
  if (!rk) return usage_error(error);
  const ir::Node& n = m.workflows[rk->workflow].nodes[rk->node];
  if (n.kind != ir::Node::Kind::Map)
    return usage_error(fmt::format("--map-length is for map nodes; '{}' is a {} node", o.map_length,
                                   kind_name(n.kind)));
  OpenStore os;
  if (int rc = open_store(ctx, o, os); rc != kOk) return rc;
  Events events("", false, error);
  NodeTarget target;
  target.steps = rk->steps;
  target.length_only = true;
  StoreHooks* hooks = nullptr;
  std::unique_ptr<StoreHooks> owner;
  EngineRun er =
      read_towards(ctx, o, os, target, hooks, owner, events, "map node '" + o.map_length + "'");
  events.stop();
  if (er.rc) {
    if (!er.message.empty()) std::cerr << "error: " << er.message << "\n";
    return *er.rc;
  }
  if (!hooks->result || hooks->result->state != TargetResult::State::Done) {
    std::cerr << fmt::format(
        "error: the items of map node '{}' cannot be known: {}\n", o.map_length,
        hooks->failed_upstream ? "upstream node '" + hooks->failed_upstream->node + "' failed"
                               : "an upstream node was skipped");
    return kFailed;
  }
  std::cout << hooks->result->value.dump() << std::endl;
  return kOk;
}

/// `--branch-arm KEY`: the arm the branch takes, from its conditions evaluated over the
/// store; nothing runs and nothing is recorded.
int do_branch_arm(const NodeModeContext& ctx, const NodeModeOptions& o, const Indexes& ix) {
  const ir::Module& m = *ctx.module;
  std::string error;
  std::optional<ResolvedKey> rk = resolve_key(m, ix, ctx.workflow, o.branch_arm, error);
  if (!rk) return usage_error(error);
  const ir::Node& n = m.workflows[rk->workflow].nodes[rk->node];
  if (n.kind != ir::Node::Kind::Branch)
    return usage_error(fmt::format("--branch-arm is for branch nodes; '{}' is a {} node",
                                   o.branch_arm, kind_name(n.kind)));
  OpenStore os;
  if (int rc = open_store(ctx, o, os); rc != kOk) return rc;
  Events events("", false, error);
  NodeTarget target;
  target.steps = rk->steps;
  target.arm_only = true;
  StoreHooks* hooks = nullptr;
  std::unique_ptr<StoreHooks> owner;
  EngineRun er =
      read_towards(ctx, o, os, target, hooks, owner, events, "branch node '" + o.branch_arm + "'");
  events.stop();
  if (er.rc) {
    if (!er.message.empty()) std::cerr << "error: " << er.message << "\n";
    return *er.rc;
  }
  if (hooks->result && hooks->result->state == TargetResult::State::Done) {
    std::cout << hooks->result->value.dump() << std::endl;
    return kOk;
  }
  // No arm is taken: an input is skipped, or failed under @failure_policy(continue).
  if (hooks->failed_upstream &&
      m.workflows[ctx.workflow].failure_policy != ir::FailurePolicy::Continue) {
    std::cerr << fmt::format(
        "error: branch node '{}' cannot be decided: upstream node '{}' failed\n", o.branch_arm,
        hooks->failed_upstream->node);
    return kFailed;
  }
  std::cout << "none" << std::endl;
  return kOk;
}

/// The keys a backend runs as jobs: the workflow's non-expression nodes outside map
/// bodies (in branch arms too).
std::vector<std::string> job_keys(const WorkflowIndex& wf) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < wf.w->nodes.size(); ++i) {
    ir::Node::Kind k = wf.w->nodes[i].kind;
    if (k == ir::Node::Kind::Expr || k == ir::Node::Kind::Fail) continue;
    if (reachable(wf, 0, i)) out.push_back(ir::node_key("", ir::NodeId{i}));
  }
  return out;
}

int do_status(const NodeModeContext& ctx, const NodeModeOptions& o, const Indexes& ix) {
  OpenStore os;
  if (int rc = open_store(ctx, o, os); rc != kOk) return rc;
  std::vector<std::string> keys;
  if (!o.status.empty()) {
    std::string key = o.status, error;
    // A map item's key, `n0-3`, is the key of its map with an item.
    std::string base = key;
    if (size_t dash = key.rfind('-');
        dash != std::string::npos && key.find('.', dash) == std::string::npos &&
        key.find_first_not_of("0123456789", dash + 1) == std::string::npos && dash + 1 < key.size())
      base = key.substr(0, dash);
    if (!resolve_key(*ctx.module, ix, ctx.workflow, base, error)) return usage_error(error);
    keys.push_back(key);
  } else {
    keys = job_keys(*ix[ctx.workflow]);
    std::vector<std::string> seen = keys;
    std::sort(seen.begin(), seen.end());
    for (const std::string& k : os.store->keys()) {
      if (!std::binary_search(seen.begin(), seen.end(), k)) keys.push_back(k);
    }
  }
  Value json = Value::array();
  for (const std::string& k : keys) {
    const char* state = NodeStore::state_name(os.store->state(k));
    if (o.format == "json") {
      json.push_back({{"node", k}, {"state", state}});
    } else {
      std::cout << k << " " << state << "\n";
    }
  }
  if (o.format == "json") std::cout << json.dump() << "\n";
  std::cout.flush();
  return kOk;
}

int do_collect(const NodeModeContext& ctx, const NodeModeOptions& o) {
  OpenStore os;
  if (int rc = open_store(ctx, o, os); rc != kOk) return rc;
  std::string error;
  Events events("", false, error);
  NodeModeOptions no_wait = o;
  no_wait.wait_upstream_s = 0;
  StoreHooks* hooks = nullptr;
  std::unique_ptr<StoreHooks> owner;
  EngineRun er = read_towards(ctx, no_wait, os, NodeTarget{}, hooks, owner, events, "the workflow");
  events.stop();
  const std::string& wname = ctx.module->workflows[ctx.workflow].name;
  if (er.rc) {
    if (!hooks->missing_key.empty() && hooks->damaged.empty()) {
      std::cerr << fmt::format("error: workflow '{}' is incomplete: node '{}' is not done\n", wname,
                               hooks->missing_key);
      return kFailed;
    }
    if (!er.message.empty()) std::cerr << "error: " << er.message << "\n";
    return *er.rc;
  }
  const Outcome& out = er.outcome;
  if (out.status != Outcome::Status::Ok) {
    Failure f{out.node, out.task, out.error, out.log_tail};
    std::cerr << fmt::format("error: workflow '{}' failed at node '{}'{}: {}\n", wname, f.node,
                             f.task.empty() ? "" : " (task '" + f.task + "')", f.error);
    if (!f.log_tail.empty()) {
      std::cerr << "  last lines of its log:\n";
      std::istringstream lines(f.log_tail);
      for (std::string l; std::getline(lines, l);) std::cerr << "    | " << l << "\n";
    }
    return kFailed;
  }
  std::cout << canonical(out.outputs) << std::endl;
  return kOk;
}

Value attributes_json(const ir::Attributes& a) {
  Value v = {
      {"cpu", a.cpu},
      {"mem_bytes", a.mem_bytes},
      {"gpu", a.gpu},
      {"disk_bytes", a.disk_bytes},
      {"accelerator", a.accelerator},
      {"retries", a.retries},
      {"timeout_s", a.timeout_s ? Value(*a.timeout_s) : Value(nullptr)},
      {"interruptible", a.interruptible},
      {"device", a.device},
      {"checkpoint_every_s", a.checkpoint_every_s ? Value(*a.checkpoint_every_s) : Value(nullptr)}};
  return v;
}

int do_list_nodes(const NodeModeContext& ctx, const NodeModeOptions& o, const Indexes& ix) {
  const ir::Module& m = *ctx.module;
  const WorkflowIndex& wf = *ix[ctx.workflow];
  // A node in a map's body is written with `*` for the item: `n0-*.n1`.
  auto key_of = [&](uint32_t node) {
    std::string key = ir::node_key("", ir::NodeId{node});
    for (uint32_t x = node; wf.owner[x] != 0;) {
      uint32_t parent = wf.bodies[wf.owner[x]].parent_node;
      if (wf.w->nodes[parent].kind == ir::Node::Kind::Map)
        key = fmt::format("{}-*.{}", ir::node_key("", ir::NodeId{parent}), key);
      x = parent;
    }
    return key;
  };
  Value list = Value::array();
  for (uint32_t i = 0; i < wf.w->nodes.size(); ++i) {
    const ir::Node& n = wf.w->nodes[i];
    Value e = {{"key", key_of(i)}, {"kind", kind_name(n.kind)}};
    Value up = Value::array();
    for (uint32_t d : wf.deps[i]) up.push_back(key_of(d));
    e["upstream"] = up;
    // The jobs it waits for: its upstream nodes, through expression nodes (never jobs).
    Value jobs = Value::array();
    std::vector<uint32_t> stack(wf.deps[i].rbegin(), wf.deps[i].rend());
    std::vector<char> seen(wf.w->nodes.size(), 0);
    while (!stack.empty()) {
      uint32_t d = stack.back();
      stack.pop_back();
      if (seen[d] != 0) continue;
      seen[d] = 1;
      ir::Node::Kind k = wf.w->nodes[d].kind;
      if (k != ir::Node::Kind::Expr && k != ir::Node::Kind::Fail) {
        jobs.push_back(key_of(d));
      } else {
        stack.insert(stack.end(), wf.deps[d].rbegin(), wf.deps[d].rend());
      }
    }
    e["upstream_jobs"] = jobs;
    e["parent"] =
        wf.owner[i] == 0 ? Value(nullptr) : Value(key_of(wf.bodies[wf.owner[i]].parent_node));
    if (n.kind == ir::Node::Kind::Task) {
      const ir::Task& t = m.tasks[n.task.index];
      e["task"] = t.name;
      e["runner"] = std::string(ir::spelling(t.runner.kind()));
      e["cache"] = t.cache;
      e["attributes"] = attributes_json(n.attributes());
    } else if (n.kind == ir::Node::Kind::Subworkflow) {
      e["workflow"] = m.workflows[n.workflow.index].name;
    } else if (n.kind == ir::Node::Kind::Map) {
      e["concurrency"] = n.concurrency() ? Value(*n.concurrency()) : Value(nullptr);
      e["min_success"] = n.min_success() ? Value(*n.min_success()) : Value(nullptr);
    }
    if (o.format == "json") {
      list.push_back(std::move(e));
    } else {
      std::cout << e["key"].get<std::string>() << " " << e["kind"].get<std::string>()
                << (e.contains("task") ? " " + e["task"].get<std::string>() : "") << "\n";
    }
  }
  if (o.format == "json")
    std::cout << Value{{"workflow", wf.w->name}, {"nodes", list}}.dump() << "\n";
  std::cout.flush();
  return kOk;
}

}  // namespace

void add_node_mode_options(CLI::App& app, NodeModeOptions& o) {
  const char* group = "Node mode (one node per process, for cluster backends)";
  app.add_option("--store", o.store, "The store shared by the nodes' jobs")
      ->type_name("DIR")
      ->group(group);
  app.add_flag("--init", o.init, "Create the store (or reopen it) with these inputs")->group(group);
  app.add_option("--run-node", o.run_node, "Run exactly this node against the store")
      ->type_name("KEY")
      ->group(group);
  app.add_option("--item", o.item, "With --run-node on a map: run this item's body")
      ->type_name("I")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 53))
      ->group(group);
  app.add_option("--map-length", o.map_length, "Print the number of items of this map node")
      ->type_name("KEY")
      ->group(group);
  app.add_option("--branch-arm", o.branch_arm,
                 "Print the arm this branch node takes (0-based), or none")
      ->type_name("KEY")
      ->group(group);
  app.add_option("--status", o.status, "Print each node's state (or just KEY's)")
      ->type_name("[KEY]")
      ->expected(0, 1)
      ->group(group);
  app.add_flag("--collect", o.collect, "Print the workflow's outputs from the store")->group(group);
  app.add_flag("--list-nodes", o.list_nodes, "List the plan's nodes (no store needed)")
      ->group(group);
  app.add_option("--format", o.format, "Output of --status and --list-nodes: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->group(group);
  app.add_option("--digest-out", o.digest_out,
                 "With --init or --run-node: write a digest of what it recorded to FILE")
      ->type_name("FILE")
      ->group(group);
  app.add_option("--wait-upstream", o.wait_upstream_s,
                 "Seconds to wait for upstream nodes' records (default 30)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 86400.0))
      ->group(group);
}

bool node_mode_requested(const CLI::App& app, NodeModeOptions& o) {
  o.status_given = app.count("--status") > 0;
  for (const char* f :
       {"--store", "--init", "--run-node", "--item", "--map-length", "--branch-arm", "--status",
        "--collect", "--list-nodes", "--format", "--wait-upstream", "--digest-out"}) {
    if (app.count(f) > 0) return true;
  }
  return false;
}

int run_node_mode(const NodeModeContext& ctx, const NodeModeOptions& o) {
  NodeModeOptions opt = o;
  int actions = int{opt.init} + int{!opt.run_node.empty()} + int{!opt.map_length.empty()} +
                int{!opt.branch_arm.empty()} + int{opt.status_given} + int{opt.collect} +
                int{opt.list_nodes};
  if (actions != 1)
    return usage_error(
        "give exactly one of --init, --run-node, --map-length, --branch-arm, --status, "
        "--collect, --list-nodes");
  if (opt.item && opt.run_node.empty()) return usage_error("--item needs --run-node");
  if (!opt.digest_out.empty() && !opt.init && opt.run_node.empty())
    return usage_error("--digest-out is for --init and --run-node");
  Indexes ix;
  for (const ir::Workflow& w : ctx.module->workflows) ix.push_back(build_index(w));
  if (opt.list_nodes) return do_list_nodes(ctx, opt, ix);
  if (opt.store.empty()) return usage_error("the node mode needs --store DIR");
  if (ctx.inputs_given && !opt.init)
    std::cerr << "warning: input flags are read only by --init; the store's inputs are used\n";
  if (opt.init) return do_init(ctx, opt);
  if (!opt.run_node.empty()) return do_run_node(ctx, opt, ix);
  if (!opt.map_length.empty()) return do_map_length(ctx, opt, ix);
  if (!opt.branch_arm.empty()) return do_branch_arm(ctx, opt, ix);
  if (opt.status_given) return do_status(ctx, opt, ix);
  return do_collect(ctx, opt);
}

}  // namespace flyte::rt
