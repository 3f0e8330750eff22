// The executable's command line: inputs from flags and JSON, the run directory, resume,
// the cache, signals, and the one JSON object on stdout.
#include "backends/local/runtime/Main.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <thread>

#include "backends/local/runtime/Engine.h"
#include "backends/local/runtime/Journal.h"
#include "backends/local/runtime/NodeMode.h"
#include "backends/local/runtime/Process.h"
#include "backends/local/runtime/RunDir.h"
#include "ir/Serialize.h"
#include "ir/Verifier.h"
#include "support/ReadFile.h"

namespace flyte::rt {
namespace {

constexpr int kOk = 0, kFailed = 1, kBadInput = 2, kInterrupted = 130;

struct Options {
  std::map<std::string, std::string> flags;  // input name -> text
  std::string inputs_file;
  int jobs = 0;
  std::string run_dir = ".flyte/runs";
  std::string resume;
  bool resume_given = false;
  std::string cache_dir;
  bool no_cache = false;
  bool overwrite_cache = false;
  std::string events;
  double retry_backoff = 1.0;
  bool timings = false;
};

size_t node_count(const ir::Module& m) {
  size_t n = 0;
  for (const ir::Workflow& w : m.workflows) n += w.nodes.size();
  return n;
}

int usage_error(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return kBadInput;
}

/// A duration flag: seconds, or a number with ms, s, m, h or d.
std::optional<double> parse_duration(const std::string& s) {
  static const std::pair<const char*, double> kUnits[] = {
      {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  for (const auto& [unit, scale] : kUnits) {
    size_t n = std::strlen(unit);
    if (s.size() > n && s.compare(s.size() - n, n, unit) == 0) {
      std::string num = s.substr(0, s.size() - n);
      char* end = nullptr;
      double v = std::strtod(num.c_str(), &end);
      if (*end == '\0' && !num.empty() && std::isdigit(static_cast<unsigned char>(num.back())))
        return v * scale;
    }
  }
  return std::nullopt;
}

/// Reads a flag's text as a value of type `t`, before check_value.
std::optional<Value> flag_value(const std::string& text, const TypeTable& types, TypeId t,
                                std::string& error) {
  TypeKind k = types.kind(t);
  if (k == TypeKind::Optional) {
    if (text == "none") return Value(nullptr);
    return flag_value(text, types, types.get(t).elem, error);
  }
  if (k == TypeKind::Duration) {
    if (std::optional<double> d = parse_duration(text)) return Value(*d);
  }
  if (is_scalar(types, t)) return parse_scalar(text, types, t, error);
  if (is_path(types, t)) return Value(text);
  std::string why;
  std::optional<Value> v = parse_json(text, why);
  if (!v && why == "not valid JSON") {
    error = fmt::format("expected JSON for {}, found '{}'", types.str(t), text.substr(0, 60));
  } else if (!v) {
    error = fmt::format("expected JSON for {}: {}", types.str(t), why);
  }
  return v;
}

std::string default_cache_dir() {
  if (const char* d = std::getenv("FLYTE_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0')
    return std::string(x) + "/flytec";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    return std::string(h) + "/.cache/flytec";
  return ".flyte/cache";
}

/// Reads an --inputs file: a regular file (or a pipe, such as /dev/stdin) of at most
/// 64 MiB. False with `error` ("it is a directory", "it is larger than 64 MiB").
bool read_inputs_file(const std::string& path, std::string& text, std::string& error) {
  if (read_file_bounded(path, text, error, {size_t{64} << 20, /*allow_pipes=*/true})) return true;
  if (error.rfind("is ", 0) == 0) error = "it " + error;
  return false;
}

/// Makes sure the cache directory exists and is a writable directory; false with
/// `error` otherwise (the run then stops before it starts: exit 2).
bool usable_cache_dir(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::is_directory(dir)) {
    error = fmt::format("the cache directory '{}' cannot be used: {}", dir,
                        ec ? ec.message() : "it is not a directory");
    return false;
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    error = fmt::format("the cache directory '{}' cannot be used: {}", dir, std::strerror(errno));
    return false;
  }
  return true;
}

/// The workflow's inputs: defaults, then --inputs, then flags; each checked.
std::optional<Value> gather_inputs(const ir::Module& m, const std::vector<Value>& constants,
                                   const ir::Workflow& w, const Options& o, int& rc) {
  Value in = Value::object();
  for (const ir::Param& p : w.inputs) {
    if (p.default_value) in[p.name] = constants[p.default_value->index];
  }
  auto fail = [&](const std::string& msg) {
    rc = usage_error(msg);
    return std::nullopt;
  };
  if (!o.inputs_file.empty()) {
    std::string text, why;
    if (!read_inputs_file(o.inputs_file, text, why))
      return fail(fmt::format("cannot read --inputs '{}': {}", o.inputs_file, why));
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      return fail(fmt::format("--inputs '{}' is empty", o.inputs_file));
    std::optional<Value> parsed = parse_json(text, why);
    if (!parsed) return fail(fmt::format("--inputs '{}': {}", o.inputs_file, why));
    Value& j = *parsed;
    if (!j.is_object())
      return fail(fmt::format("--inputs '{}' is not a JSON object", o.inputs_file));
    for (auto& item : j.items()) {
      const std::string& k = item.key();
      Value& v = item.value();
      bool known = std::any_of(w.inputs.begin(), w.inputs.end(),
                               [&](const ir::Param& p) { return p.name == k; });
      if (!known)
        return fail(fmt::format("--inputs '{}': workflow '{}' has no input '{}'", o.inputs_file,
                                w.name, k));
      in[k] = v;
    }
  }
  for (const ir::Param& p : w.inputs) {
    auto flag = o.flags.find(p.name);
    if (flag != o.flags.end()) {
      std::string error;
      std::optional<Value> v = flag_value(flag->second, m.types, p.type, error);
      if (!v) return fail(fmt::format("input '{}' ({}): {}", p.name, m.types.str(p.type), error));
      in[p.name] = std::move(*v);
    }
    if (!in.contains(p.name)) {
      if (m.types.kind(p.type) == TypeKind::Optional) {
        in[p.name] = nullptr;
        continue;
      }
      return fail(fmt::format("missing input '--{}' ({})", p.name, m.types.str(p.type)));
    }
    std::string error;
    if (!check_value(in[p.name], m.types, p.type, error))
      return fail(fmt::format("input '{}' ({}): {}", p.name, m.types.str(p.type), error));
  }
  return in;
}

std::string describe_input(const ir::Module& m, const ir::Param& p) {
  if (p.default_value)
    return "default " + ir::value_text(m.constants[p.default_value->index].value);
  if (m.types.kind(p.type) == TypeKind::Optional) return "optional (default none)";
  return "required";
}

/// Finished tasks from the journal whose files are all still there.
std::map<std::string, Value> finished_nodes(const std::string& journal, size_t& skipped) {
  std::map<std::string, Value> out;
  for (const Value& r : Journal::read(journal, skipped)) {
    if (r.value("type", "") != "done" || !r.contains("node") || !r["node"].is_string() ||
        !r.contains("outputs") || !r["outputs"].is_object() || !r.contains("args"))
      continue;
    out[r["node"].get<std::string>()] = r;
  }
  return out;
}

/// Drops journaled nodes whose output files are gone, so that they run again.
void drop_missing(const ir::Module& m, std::map<std::string, Value>& finished,
                  const std::string& run_path) {
  (void)m;
  for (auto it = finished.begin(); it != finished.end();) {
    bool ok = true;
    for (auto& [name, v] : it->second["outputs"].items()) {
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (s.rfind(run_path + "/nodes/", 0) == 0 && !std::filesystem::exists(s)) ok = false;
      }
    }
    it = ok ? std::next(it) : finished.erase(it);
  }
}

int run_main(int argc, char** argv, const unsigned char* plan, size_t size,
             const std::string& workflow) {
  auto start = std::chrono::steady_clock::now();
  std::string error;
  std::unique_ptr<ir::Module> m =
      ir::from_protobuf(std::string_view(reinterpret_cast<const char*>(plan), size), error);
  if (m == nullptr || !ir::verify_module(*m).empty()) {
    std::cerr << "error: the embedded plan is damaged" << (error.empty() ? "" : ": " + error)
              << "\n";
    return kBadInput;
  }
  uint32_t wi = UINT32_MAX;
  for (uint32_t i = 0; i < m->workflows.size(); ++i) {
    if (m->workflows[i].name == workflow) wi = i;
  }
  if (wi == UINT32_MAX) return usage_error("the plan has no workflow '" + workflow + "'");
  auto loaded = std::chrono::steady_clock::now();
  const ir::Workflow& w = m->workflows[wi];
  std::vector<Value> constants;
  constants.reserve(m->constants.size());
  for (const ir::Constant& c : m->constants)
    constants.push_back(constant_value(c.value, m->types, c.type));

  Options o;
  std::string name = std::filesystem::path(argv[0]).filename().string();
  CLI::App app(w.doc.empty() ? "Runs workflow '" + w.name + "'."
                             : w.doc + "\n\nRuns workflow '" + w.name + "'.",
               name);
  app.get_formatter()->column_width(34);
  for (const ir::Param& p : w.inputs) {
    app.add_option_function<std::string>(
           "--" + p.name, [&o, n = p.name](const std::string& v) { o.flags[n] = v; },
           describe_input(*m, p))
        ->type_name(m->types.str(p.type))
        ->group("Workflow inputs");
  }
  app.add_option("--inputs", o.inputs_file, "Inputs as a JSON object (flags override it)")
      ->type_name("FILE")
      ->group("Workflow inputs");
  app.add_option("-j,--jobs", o.jobs,
                 "Tasks to run at once, and the CPUs they share (default: this machine's CPUs)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--run-dir", o.run_dir, "Where runs are kept (default .flyte/runs)")
      ->type_name("DIR");
  app.add_option("--resume", o.resume,
                 "Continue a failed or interrupted run (default: the latest) without "
                 "redoing finished tasks")
      ->type_name("[RUN_ID]")
      ->expected(0, 1);
  app.add_option("--cache-dir", o.cache_dir,
                 "The task cache (default $FLYTE_CACHE_DIR or ~/.cache/flytec)")
      ->type_name("DIR");
  app.add_flag("--no-cache", o.no_cache, "Neither read nor write the cache");
  app.add_flag("--overwrite-cache", o.overwrite_cache, "Run cached tasks again and store anew");
  app.add_option("--events", o.events, "Append JSON-lines events to this file")->type_name("FILE");
  app.add_option("--retry-backoff", o.retry_backoff,
                 "Seconds before the first retry; doubles each time (default 1)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_flag("--timings", o.timings,
               "Print how long loading the plan and running the graph took, on stderr");
  NodeModeOptions node_mode;
  add_node_mode_options(app, node_mode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }
  o.resume_given = app.count("--resume") > 0;
  if (node_mode_requested(app, node_mode)) {
    NodeModeContext nm;
    nm.module = m.get();
    nm.workflow = wi;
    nm.plan_hash = std::to_string(
        std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(plan), size)));
    nm.cache_dir = o.no_cache ? "" : (o.cache_dir.empty() ? default_cache_dir() : o.cache_dir);
    nm.overwrite_cache = o.overwrite_cache;
    nm.events = o.events;
    nm.retry_backoff_s = o.retry_backoff;
    nm.gather_inputs = [&](int& rc) { return gather_inputs(*m, constants, w, o, rc); };
    nm.inputs_given = !o.flags.empty() || !o.inputs_file.empty();
    return run_node_mode(nm, node_mode);
  }

  // The cache is checked before a run is made: an unusable one stops here, with exit 2.
  std::optional<Cache> cache;
  if (!o.no_cache) {
    cache.emplace(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir);
    if (!usable_cache_dir(cache->dir(), error))
      return usage_error(error + " (choose another with --cache-dir, or run with --no-cache)");
    cache->sweep();  // what stores killed midway left behind
  }

  std::optional<RunDir> run;
  std::map<std::string, Value> finished;
  Value inputs;
  std::string plan_hash = std::to_string(
      std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(plan), size)));
  if (o.resume_given) {
    run = RunDir::open(o.run_dir, o.resume, error);
    if (!run) return usage_error(error);
    std::optional<Value> meta = run->read_meta(error);
    if (!meta) return usage_error(error);
    if ((*meta)["plan"] != plan_hash || (*meta)["workflow"] != w.name)
      return usage_error(
          fmt::format("run '{}' was started by a different plan or workflow; "
                      "start a new run instead",
                      run->id()));
    if (!o.flags.empty() || !o.inputs_file.empty())
      std::cerr << "warning: a resumed run uses the inputs it was started with; input flags "
                   "are ignored\n";
    inputs = (*meta)["inputs"];
    // run.json is a file like any other: its inputs are checked again, not trusted.
    for (const ir::Param& p : w.inputs) {
      std::string why;
      if (!inputs.is_object() || !inputs.contains(p.name) ||
          !check_value(inputs[p.name], m->types, p.type, why))
        return usage_error(fmt::format("run '{}' has a damaged run.json: input '{}': {}", run->id(),
                                       p.name, why.empty() ? "missing" : why));
    }
    size_t skipped = 0;
    finished = finished_nodes(run->journal_path(), skipped);
    drop_missing(*m, finished, std::filesystem::absolute(run->path()).string());
    if (skipped > 0)
      std::cerr << fmt::format("warning: skipped {} damaged journal line{} of run '{}'\n", skipped,
                               skipped == 1 ? "" : "s", run->id());
    std::cerr << fmt::format("resuming run {}: {} finished task{} kept\n", run->id(),
                             finished.size(), finished.size() == 1 ? "" : "s");
  } else {
    int rc = 0;
    std::optional<Value> in = gather_inputs(*m, constants, w, o, rc);
    if (!in) return rc;
    inputs = std::move(*in);
    run = RunDir::create(o.run_dir, {{"workflow", w.name}, {"plan", plan_hash}, {"inputs", inputs}},
                         error);
    if (!run) {
      // A full disk is not bad input: the same command works once there is space.
      std::cerr << "error: " << error << "\n";
      return error.find("the disk is full") != std::string::npos ? kFailed : kBadInput;
    }
  }
  std::string run_path = std::filesystem::absolute(run->path()).string();

  // SIGINT and SIGTERM go to one thread, which stops the run cleanly. They are blocked
  // before any other thread starts, so that every thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::unique_ptr<Journal> journal = Journal::open(run->journal_path(), error);
  if (!journal) return usage_error(error);
  const char* term = std::getenv("TERM");
  bool tty = ::isatty(STDERR_FILENO) != 0 && (term == nullptr || std::string(term) != "dumb");
  Events events(o.events, tty, error);
  if (!error.empty()) return usage_error(error);

  RunDirStore store(run_path, journal.get(), FileSystem::real());
  EngineOptions eo;
  eo.machine = Machine::probe();
  // --jobs N is both the number of task slots and the CPUs they share, as Snakemake's
  // --cores is: `--jobs 8` on a 4-core machine runs 8 single-CPU tasks at once.
  if (o.jobs > 0) eo.machine.cpus = o.jobs;
  eo.jobs = static_cast<int>(eo.machine.cpus);
  eo.run_id = run->id();
  eo.store = &store;
  eo.cache = cache ? &*cache : nullptr;
  eo.overwrite_cache = o.overwrite_cache;
  eo.finished = std::move(finished);
  eo.events = &events;
  eo.retry_backoff_s = o.retry_backoff;

  auto started = std::chrono::steady_clock::now();  // the engine indexes the graph
  Engine engine(*m, std::move(eo));
  // The first SIGINT or SIGTERM stops the run cleanly; a second one exits at once (the
  // journal has every finished task already). SIGUSR2 with `signals_done` set ends it.
  std::atomic<bool> signals_done{false};
  std::thread signals([&] {
    int count = 0;
    for (;;) {
      int sig = 0;
      if (sigwait(&sigs, &sig) != 0) continue;
      if (signals_done) return;
      if (sig == SIGUSR2) continue;
      if (++count > 1) {
        // No grace period: a task that ignores SIGTERM must not outlive the run.
        kill_running_processes();
        std::cerr << "\nflytec: interrupted again; exiting now\n";
        ::_exit(kInterrupted);
      }
      events.log(fmt::format("flytec: interrupted; stopping run {} (continue it with --resume {})",
                             run->id(), run->id()));
      engine.interrupt();
    }
  });
  // Journal records are written as tasks finish and synced here in groups, so that a
  // worker never waits for the disk; the last group is synced before the exit.
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  bool run_done = false;
  std::thread syncer([&] {
    std::unique_lock<std::mutex> lock(sync_mu);
    while (!run_done) {
      sync_cv.wait_for(lock, std::chrono::milliseconds(100));
      journal->flush();
    }
  });
  Outcome out;
  try {
    out = engine.run(wi, inputs);
  } catch (const std::exception& e) {
    out.status = Outcome::Status::Failed;
    out.error = std::string("internal error: ") + e.what();
  }
  auto ran = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(sync_mu);
    run_done = true;
  }
  sync_cv.notify_all();
  syncer.join();
  signals_done = true;
  ::pthread_kill(signals.native_handle(), SIGUSR2);
  signals.join();
  events.stop();
  journal->flush();
  if (o.timings) {
    auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cerr << fmt::format(
        "timings: load plan {:.3f}s, index, schedule and run {:.3f}s ({} nodes in the plan)\n",
        seconds(loaded - start), seconds(ran - started), node_count(*m));
  }

  Value status = {{"id", run->id()}, {"workflow", w.name}};
  int rc = kOk;
  switch (out.status) {
    case Outcome::Status::Ok:
      status["status"] = "succeeded";
      status["outputs"] = out.outputs;
      std::cout << canonical(out.outputs) << std::endl;
      break;
    case Outcome::Status::Failed:
      status["status"] = "failed";
      status["node"] = out.node;
      status["error"] = out.error;
      std::cerr << fmt::format("error: workflow '{}' failed at node '{}'{}: {}\n", w.name, out.node,
                               out.task.empty() ? "" : " (task '" + out.task + "')", out.error);
      if (!out.log_tail.empty()) {
        std::cerr << "  last lines of its log:\n";
        std::istringstream lines(out.log_tail);
        for (std::string l; std::getline(lines, l);) std::cerr << "    | " << l << "\n";
      }
      std::cerr << fmt::format("  run {} is kept in {}; continue it with --resume {}\n", run->id(),
                               run_path, run->id());
      rc = kFailed;
      break;
    case Outcome::Status::Interrupted:
      status["status"] = "interrupted";
      rc = kInterrupted;
      break;
  }
  if (!run->write_status(status, error)) std::cerr << "warning: " << error << "\n";
  return rc;
}

}  // namespace
}  // namespace flyte::rt

extern "C" int flyte_runtime_main(int argc, char** argv, const unsigned char* plan, size_t size,
                                  const char* workflow) {
  try {
    return flyte::rt::run_main(argc, argv, plan, size, workflow);
  } catch (const std::exception& e) {
    std::cerr << "error: internal error: " << e.what() << "\n";
    return 70;
  }
}
