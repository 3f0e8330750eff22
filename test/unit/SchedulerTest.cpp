// The scheduler and node executor on fakes: a scripted task runner, an in-memory store,
// a file system that does nothing and a clock that never sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "backends/local/runtime/Engine.h"

namespace flyte::rt {
namespace {

/// A clock whose sleeps return at once and are recorded.
class FakeClock final : public Clock {
 public:
  double now() override { return 1000.0; }
  bool sleep(double seconds, const std::atomic<bool>& cancel) override {
    std::lock_guard<std::mutex> lock(mu);
    sleeps.push_back(seconds);
    return !cancel;
  }
  std::mutex mu;
  std::vector<double> sleeps;
};

class FakeFileSystem final : public FileSystem {
 public:
  bool make_dirs(const std::string&, std::string&) override { return true; }
  std::vector<std::string> list(const std::string&) override { return {}; }
  bool write_file(const std::string&, const std::string&, std::string&) override { return true; }
  std::optional<FileStamp> stat(const std::string&) override { return std::nullopt; }
  std::string full_disk_note(const std::string&) override { return ""; }
};

/// A store in memory: the records kept, by node key.
class FakeStore final : public Store {
 public:
  std::string node_dir(const std::string& key) const override { return "/store/" + key; }
  std::string attempt_dir(const std::string& key, int attempt) const override {
    return node_dir(key) + "/attempt-" + std::to_string(attempt);
  }
  std::string checkpoint_dir(const std::string& key, int attempt) const override {
    return attempt_dir(key, attempt) + "/checkpoint";
  }
  int last_attempt(const std::string&) override { return 0; }
  bool keep(const std::string& key, const Value&, const Value& record, std::string&) override {
    std::lock_guard<std::mutex> lock(mu);
    records[key] = record;
    return true;
  }
  std::mutex mu;
  std::map<std::string, Value> records;
};

/// A task runner that records each call (node key and attempt, in order) and returns
/// what `script` says; by default `{"o": <sum of the integer arguments> + 1}`.
class FakeRunner final : public TaskRunner {
 public:
  using Script = std::function<AttemptResult(const AttemptSpec&, const std::atomic<bool>&)>;
  AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      calls.emplace_back(spec.node_key, spec.attempt);
    }
    if (script) return script(spec, cancel);
    return ok(spec);
  }
  static AttemptResult ok(const AttemptSpec& spec) {
    int64_t sum = 1;
    for (const auto& [name, v] : spec.args.items()) {
      if (v.is_number_integer()) sum += v.get<int64_t>();
    }
    AttemptResult r;
    r.status = AttemptResult::Status::Ok;
    r.outputs = {{"o", sum}};
    return r;
  }
  static AttemptResult failed(const std::string& error) {
    AttemptResult r;
    r.error = error;
    return r;
  }
  std::vector<std::string> keys() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.first);
    return out;
  }
  std::mutex mu;
  std::vector<std::pair<std::string, int>> calls;
  Script script;
};

/// Lets at most `limit` runner calls in at once and records the most seen: each call
/// waits until `limit` are in (or every call has started), so that a scheduler that
/// admitted more would be caught with more than `limit` inside.
class Gate {
 public:
  Gate(int limit, int total) : limit_(limit), total_(total) {}
  void pass() {
    std::unique_lock<std::mutex> lock(mu_);
    ++inside_;
    ++started_;
    most = std::max(most, inside_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return inside_ >= limit_ || started_ == total_ || released_; });
    released_ = inside_ >= limit_ || released_;
    --inside_;
    if (inside_ == 0) released_ = false;
    cv_.notify_all();
  }
  int most = 0;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int limit_, total_, inside_ = 0, started_ = 0;
  bool released_ = false;
};

ir::ValueRef out(uint32_t node) {
  ir::ValueRef v;
  v.kind = ir::ValueRef::Kind::NodeOutput;
  v.index = node;
  return v;
}

ir::ValueRef input(uint32_t index) {
  ir::ValueRef v;
  v.kind = ir::ValueRef::Kind::Input;
  v.index = index;
  return v;
}

ir::ValueRef item_of(uint32_t map_node) {
  ir::ValueRef v;
  v.kind = ir::ValueRef::Kind::MapItem;
  v.index = map_node;
  return v;
}

/// A module with one task `t(i: int) -> int` and one workflow `wf(xs: List<int>)` whose
/// graph a test builds.
struct Graph {
  ir::Module m;
  TypeId int_t, list_t;

  Graph() {
    int_t = m.types.int_();
    list_t = m.types.list(int_t);
    ir::Task t;
    t.name = "t";
    t.inputs.push_back({"i", int_t, std::nullopt});
    t.outputs.push_back({"o", int_t});
    t.fingerprint = "0123456789abcdef0123456789abcdef";
    m.tasks.push_back(t);
    t.name = "join";  // task 1: join(x0, x1, x2, x3)
    t.inputs.clear();
    for (int i = 0; i < 4; ++i) t.inputs.push_back({"x" + std::to_string(i), int_t, std::nullopt});
    m.tasks.push_back(t);
    ir::Workflow w;
    w.name = "wf";
    w.inputs.push_back({"xs", list_t, std::nullopt});
    m.workflows.push_back(w);
  }
  ir::Workflow& w() { return m.workflows[0]; }

  /// A call of task `task` reading `inputs` (by parameter name); at the top level unless
  /// `in_body`.
  uint32_t call(const std::vector<std::pair<std::string, ir::ValueRef>>& inputs,
                bool in_body = false, uint32_t task = 0) {
    ir::Node n;
    n.kind = ir::Node::Kind::Task;
    n.task = ir::TaskId{task};
    std::vector<ir::Arg> args;
    const std::vector<ir::Param>& ps = m.tasks[task].inputs;
    for (const auto& in : inputs) {
      const std::string& name = in.first;
      auto p =
          std::find_if(ps.begin(), ps.end(), [&](const ir::Param& q) { return q.name == name; });
      if (p == ps.end()) {
        ADD_FAILURE() << "task " << task << " has no parameter " << name;
        continue;
      }
      args.push_back({in.second, static_cast<uint32_t>(p - ps.begin())});
    }
    n.args = w().add_args(std::move(args));
    n.type = int_t;
    return add(std::move(n), in_body);
  }
  /// A workflow whose result is a map over its input `xs` (with these annotations) and
  /// whose body is one call of `t(i = item)`.
  void map_over_input(std::optional<int64_t> concurrency, std::optional<double> min_success) {
    uint32_t map = static_cast<uint32_t>(w().nodes.size());
    ir::Node n;
    n.kind = ir::Node::Kind::Map;
    n.args = w().add_args({{input(0), 0}});
    n.type = list_t;
    n.extras.make().bodies.resize(1);
    add(std::move(n), false);
    uint32_t body = call({{"i", item_of(map)}}, /*in_body=*/true);
    w().nodes[map].extras.make().bodies[0].nodes.push_back({body});
    w().nodes[map].extras.make().bodies[0].result = out(body);
    w().nodes[map].extras.make().call_site.concurrency = concurrency;
    w().nodes[map].extras.make().call_site.min_success = min_success;
    result(map);
  }
  uint32_t add(ir::Node n, bool in_body) {
    uint32_t index = static_cast<uint32_t>(w().nodes.size());
    w().nodes.push_back(std::move(n));
    if (!in_body) w().top.push_back({index});
    return index;
  }
  void result(uint32_t node) {
    ir::ValueRef r = out(node);
    w().results.emplace_back("o", r);
    w().outputs.push_back({"o", w().nodes[node].type});
  }
};

/// Runs a graph's workflow on fakes.
struct Harness {
  FakeClock clock;
  FakeFileSystem fs;
  FakeStore store;
  FakeRunner* runner = nullptr;
  RunnerRegistry runners;
  std::string events_error;
  Events events{"", false, events_error};
  std::unique_ptr<Engine> engine;

  Harness() {
    auto r = std::make_unique<FakeRunner>();
    runner = r.get();
    runners.add(ir::RunnerKind::Shell, std::move(r));
    events.use_clock(clock);
  }

  /// Every task passes `gate` before it succeeds.
  void gate(Gate& gate) {
    runner->script = [&gate](const AttemptSpec& spec, const std::atomic<bool>&) {
      gate.pass();
      return FakeRunner::ok(spec);
    };
  }

  Outcome run(const ir::Module& m, int jobs, Value xs = Value::array(),
              std::map<std::string, Value> finished = {}) {
    EngineOptions o;
    o.jobs = jobs;
    o.machine.cpus = jobs;
    o.run_id = "test";
    o.store = &store;
    o.events = &events;
    o.retry_backoff_s = 0.5;
    o.finished = std::move(finished);
    o.runners = &runners;
    o.clock = &clock;
    o.fs = &fs;
    engine = std::make_unique<Engine>(m, std::move(o));
    return engine->run(0, {{"xs", std::move(xs)}});
  }
};

AttemptResult wait_for_cancel(const std::atomic<bool>& cancel) {
  while (!cancel) std::this_thread::yield();
  AttemptResult r;
  r.status = AttemptResult::Status::Cancelled;
  r.error = "cancelled";
  return r;
}

TEST(SchedulerTest, FanOutThenFanIn) {
  Graph g;
  uint32_t a = g.call({});
  std::vector<std::pair<std::string, ir::ValueRef>> joined;
  joined.reserve(4);
  for (int i = 0; i < 4; ++i)
    joined.emplace_back("x" + std::to_string(i), out(g.call({{"i", out(a)}})));
  uint32_t j = g.call(joined, false, /*task=*/1);
  g.result(j);
  Harness h;
  Outcome r = h.run(g.m, 4);
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", 1 + 4 * 2}}));
  std::vector<std::string> order = h.runner->keys();
  ASSERT_EQ(order.size(), 6u);
  EXPECT_EQ(order.front(), "n0");
  EXPECT_EQ(order.back(), "n5");
  std::sort(order.begin() + 1, order.end() - 1);
  EXPECT_EQ(order, (std::vector<std::string>{"n0", "n1", "n2", "n3", "n4", "n5"}));
  EXPECT_EQ(h.store.records.size(), 6u);
  EXPECT_TRUE(h.clock.sleeps.empty());
}

TEST(SchedulerTest, JobsLimitTasksAtOnce) {
  Graph g;
  for (int i = 0; i < 6; ++i) g.call({{"i", input(0)}});
  Harness h;
  Gate gate(2, 6);
  h.gate(gate);
  Outcome r = h.run(g.m, 2);
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(h.runner->calls.size(), 6u);
  EXPECT_EQ(gate.most, 2);
}

TEST(SchedulerTest, RetrySucceedsOnTheLastAllowedAttempt) {
  Graph g;
  uint32_t n = g.call({});
  g.w().nodes[n].resolved.make().retries = 2;  // as resolve-attributes sets it
  g.result(n);
  Harness h;
  h.runner->script = [](const AttemptSpec& spec, const std::atomic<bool>&) {
    return spec.attempt < 3 ? FakeRunner::failed("boom") : FakeRunner::ok(spec);
  };
  Outcome r = h.run(g.m, 1);
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(h.runner->calls,
            (std::vector<std::pair<std::string, int>>{{"n0", 1}, {"n0", 2}, {"n0", 3}}));
  EXPECT_EQ(h.clock.sleeps, (std::vector<double>{0.5, 1.0}));  // doubling backoff
}

TEST(SchedulerTest, RetriesExhaustedFailAfterNPlusOneAttempts) {
  Graph g;
  uint32_t a = g.call({});
  // The runtime reads the resolved attributes and merges nothing itself: the task's own
  // policy (1) does not count.
  g.w().nodes[a].resolved.make().retries = 3;
  g.m.tasks[0].policy.retries = 1;
  Harness h;
  h.runner->script = [](const AttemptSpec&, const std::atomic<bool>&) {
    return FakeRunner::failed("boom");
  };
  Outcome r = h.run(g.m, 1);
  ASSERT_EQ(r.status, Outcome::Status::Failed);
  EXPECT_EQ(r.node, "n0");
  EXPECT_EQ(r.task, "t");
  EXPECT_EQ(r.error, "boom");
  EXPECT_EQ(h.runner->calls.size(), 4u);
  EXPECT_EQ(h.clock.sleeps, (std::vector<double>{0.5, 1.0, 2.0}));
  EXPECT_TRUE(h.store.records.empty());
}

/// n0 fails once n1 is running; n2 waits for n1 and n3 for n0.
struct PolicyCase {
  Graph g;
  Harness h;
  std::atomic<bool> n0_returned{false};
  std::atomic<bool> n1_cancelled{false};

  Outcome run(const std::string& policy) {
    g.w().failure_policy = *ir::parse_failure_policy(policy);
    uint32_t n0 = g.call({});
    uint32_t n1 = g.call({});
    g.call({{"i", out(n1)}});
    g.call({{"i", out(n0)}});
    h.runner->script = [&](const AttemptSpec& spec, const std::atomic<bool>& cancel) {
      if (spec.node_key == "n0") {
        while (h.runner->keys().size() < 2) std::this_thread::yield();  // n1 has started
        n0_returned = true;
        return FakeRunner::failed("boom");
      }
      if (spec.node_key == "n1") {
        // fail_fast cancels n1; under `continue` it finishes once n0 has failed.
        while (!n0_returned) std::this_thread::yield();
        if (policy == "fail_fast") {
          n1_cancelled = true;
          return wait_for_cancel(cancel);
        }
      }
      return FakeRunner::ok(spec);
    };
    return h.run(g.m, 2);
  }
};

TEST(SchedulerTest, FailFastCancelsRunningTasksAndStartsNothing) {
  PolicyCase c;
  Outcome r = c.run("fail_fast");
  ASSERT_EQ(r.status, Outcome::Status::Failed);
  EXPECT_EQ(r.node, "n0");
  EXPECT_TRUE(c.n1_cancelled);
  std::vector<std::string> keys = c.h.runner->keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"n0", "n1"}));
  EXPECT_TRUE(c.h.store.records.empty());
}

TEST(SchedulerTest, ContinueFinishesWhatDoesNotDependOnTheFailure) {
  PolicyCase c;
  Outcome r = c.run("continue");
  ASSERT_EQ(r.status, Outcome::Status::Failed);
  EXPECT_EQ(r.node, "n0");
  std::vector<std::string> keys = c.h.runner->keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"n0", "n1", "n2"}));  // not n3
  EXPECT_EQ(c.h.store.records.size(), 2u);
}

/// A map over 4 items, under @min_success(0.75), in which the items in `failing` fail.
Outcome run_tolerant_map(Graph& g, Harness& h, const std::vector<int>& failing) {
  g.map_over_input(std::nullopt, 0.75);
  h.runner->script = [failing](const AttemptSpec& spec, const std::atomic<bool>&) {
    int64_t i = spec.args["i"].get<int64_t>();
    if (std::find(failing.begin(), failing.end(), i) != failing.end())
      return FakeRunner::failed("item " + std::to_string(i));
    return FakeRunner::ok(spec);
  };
  return h.run(g.m, 2, {0, 1, 2, 3});
}

TEST(SchedulerTest, MinSuccessExactlyAtTheThresholdSucceeds) {
  Graph g;
  Harness h;
  Outcome r = run_tolerant_map(g, h, {2});
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", {1, 2, nullptr, 4}}}));
}

TEST(SchedulerTest, MinSuccessBelowTheThresholdFails) {
  Graph g;
  Harness h;
  Outcome r = run_tolerant_map(g, h, {1, 2});
  ASSERT_EQ(r.status, Outcome::Status::Failed);
  EXPECT_NE(r.error.find("only 2 of 4 items succeeded"), std::string::npos) << r.error;
}

TEST(SchedulerTest, MapConcurrencyLimitsItemsAtOnce) {
  Graph g;
  g.map_over_input(2, std::nullopt);
  Harness h;
  Gate gate(2, 6);
  h.gate(gate);
  Outcome r = h.run(g.m, 8, {0, 1, 2, 3, 4, 5});
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", {1, 2, 3, 4, 5, 6}}}));
  EXPECT_EQ(gate.most, 2);
}

TEST(SchedulerTest, InterruptDuringAMapIsInterrupted) {
  Graph g;
  g.map_over_input(1, std::nullopt);
  Harness h;
  h.runner->script = [&](const AttemptSpec& spec, const std::atomic<bool>& cancel) {
    if (spec.args["i"] != 1) return FakeRunner::ok(spec);
    h.engine->interrupt();
    return wait_for_cancel(cancel);
  };
  Outcome r = h.run(g.m, 2, {0, 1, 2, 3});
  EXPECT_EQ(r.status, Outcome::Status::Interrupted);
  EXPECT_EQ(h.runner->keys(), (std::vector<std::string>{"n0-0.n1", "n0-1.n1"}));
  EXPECT_EQ(h.store.records.size(), 1u);
}

TEST(SchedulerTest, ResumeSkipsJournaledNodes) {
  Graph g;
  uint32_t a = g.call({});
  uint32_t b = g.call({{"i", out(a)}});
  g.result(g.call({{"i", out(b)}}));
  Harness first;
  ASSERT_EQ(first.run(g.m, 1).status, Outcome::Status::Ok);
  // Resuming with every node journaled runs nothing; with the last one missing, only it.
  Harness all;
  Outcome r = all.run(g.m, 1, Value::array(), first.store.records);
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", 3}}));
  EXPECT_TRUE(all.runner->calls.empty());
  std::map<std::string, Value> some = first.store.records;
  some.erase("n2");
  Harness part;
  r = part.run(g.m, 1, Value::array(), some);
  ASSERT_EQ(r.status, Outcome::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", 3}}));
  EXPECT_EQ(part.runner->keys(), (std::vector<std::string>{"n2"}));
}

TEST(SchedulerTest, ATaskWithNoRunnerForItsKindFails) {
  Graph g;
  g.m.tasks[0].runner.body = ir::Runner::Cpp{"f.cpp", "f", ""};
  g.result(g.call({}));
  Harness h;
  Outcome r = h.run(g.m, 1);
  ASSERT_EQ(r.status, Outcome::Status::Failed);
  EXPECT_EQ(r.error,
            "task 't' has a cpp(...) runner, which this local runtime cannot run yet: only shell "
            "and builtin tasks run here");
  EXPECT_TRUE(h.runner->calls.empty());
}

}  // namespace
}  // namespace flyte::rt
