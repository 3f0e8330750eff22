// The node executor: cache, attempts with retries and backoff, the node's record.
#include "backends/local/runtime/NodeExecutor.h"

#include <fmt/format.h>

#include <algorithm>

#include "backends/local/runtime/Cache.h"
#include "backends/local/runtime/Effects.h"
#include "backends/local/runtime/Events.h"
#include "backends/local/runtime/Process.h"
#include "backends/local/runtime/Store.h"
#include "backends/local/runtime/TaskRunner.h"
#include "backends/local/runtime/TensorShapes.h"

namespace flyte::rt {

std::string NodeExecutor::args_digest(const ir::Task& t, const Value& args) const {
  Value stamped = args;
  for (const ir::Param& p : t.inputs) {
    if (!stamped.contains(p.name)) continue;
    visit_paths(stamped[p.name], m_.types, p.type, [&](Value& leaf, const std::string&) {
      const std::string& path = leaf.get_ref<const std::string&>();
      if (std::optional<FileStamp> st = opt_.fs->stat(path))
        leaf = fmt::format("{} {}:{}.{}", path, st->size, st->mtime_s, st->mtime_ns);
    });
  }
  Hasher h;
  h.add(canonical(stamped));
  return h.hex();
}

std::optional<Value> with_contents(Value v, const TypeTable& types, TypeId type) {
  bool readable = true;
  visit_paths(v, types, type, [&](Value& leaf, const std::string&) {
    std::optional<std::string> hash = readable ? hash_path(leaf.get<std::string>()) : std::nullopt;
    readable = hash.has_value();
    leaf = "content " + hash.value_or("");
  });
  if (!readable) return std::nullopt;
  return v;
}

std::optional<std::string> value_digest(const Value& v, const TypeTable& types, TypeId type) {
  std::optional<Value> c = with_contents(v, types, type);
  if (!c) return std::nullopt;
  Hasher h;
  h.add(canonical(*c));
  return h.hex();
}

/// The cache key: the task's fingerprint and version, and each input not ignored, with
/// every file and directory in it, at any depth, replaced by its contents' hash.
std::optional<std::string> NodeExecutor::cache_key(const ir::Task& t, const Value& args) const {
  Hasher h;
  h.add(t.fingerprint);
  h.add(t.cache_version);
  for (const ir::Param& p : t.inputs) {
    if (std::find(t.cache_ignore.begin(), t.cache_ignore.end(), p.name) != t.cache_ignore.end())
      continue;
    h.add(p.name);
    std::optional<Value> c =
        with_contents(args.contains(p.name) ? args[p.name] : Value(nullptr), m_.types, p.type);
    if (!c) return std::nullopt;
    h.add(canonical(*c));
  }
  return h.hex();
}

/// The files and directories among a task's outputs, for the cache to copy: an output's
/// name, or the JSON pointer of one nested in it (`/parts/2`).
std::vector<std::string> NodeExecutor::path_outputs(const ir::Task& t, Value outputs) const {
  std::vector<std::string> out;
  for (const ir::Output& o : t.outputs) {
    if (!outputs.contains(o.name)) continue;
    if (is_path(m_.types, o.type)) {
      out.push_back(o.name);
      continue;
    }
    visit_paths(
        outputs[o.name], m_.types, o.type,
        [&](Value&, const std::string& pointer) { out.push_back(pointer); }, "/" + o.name);
  }
  return out;
}

/// Keeps a finished task's outputs and its journal record in the store. False with
/// `error` when either cannot be written (a full disk): the node fails, and a resumed
/// run runs it again.
bool NodeExecutor::keep(const std::string& key, const ir::Task& t, const Value& args,
                        const Value& outputs, std::string& error) const {
  Value record = {{"type", "done"},
                  {"node", key},
                  {"fingerprint", t.fingerprint},
                  {"args", args_digest(t, args)},
                  {"outputs", outputs}};
  return opt_.store->keep(key, outputs, record, error);
}

std::optional<Value> NodeExecutor::lookup(const std::string& key, const ir::Task& t,
                                          const Value& args, const std::string& ckey,
                                          std::string& error) const {
  std::string node_dir = opt_.store->node_dir(key);
  std::string ignored;
  opt_.fs->make_dirs(node_dir, ignored);
  std::optional<Value> hit = opt_.cache->lookup(ckey, node_dir);
  if (!hit) return std::nullopt;
  Events& events = *opt_.events;
  ++events.counters().cached;
  events.emit("cached", {{"node", key}, {"task", t.name}, {"key", ckey}});
  if (!keep(key, t, args, *hit, error)) {
    events.emit("failed", {{"node", key}, {"task", t.name}, {"error", error}});
    return std::nullopt;
  }
  return hit;
}

std::optional<std::string> NodeExecutor::cache_key_of(const ir::Node& node,
                                                      const Value& args) const {
  const ir::Task& t = m_.tasks[node.task.index];
  if (!t.cache || opt_.cache == nullptr || opt_.overwrite_cache) return std::nullopt;
  return cache_key(t, args);
}

std::optional<Value> NodeExecutor::run(const std::string& key, const ir::Node& n, const Value& args,
                                       const std::optional<std::string>& visible_gpus,
                                       const std::atomic<bool>& cancel, Failure& failure) const {
  const ir::Task& t = m_.tasks[n.task.index];
  Events& events = *opt_.events;
  failure.node = key;
  failure.task = t.name;
  TaskRunner* runner = opt_.runners->find(t.runner.kind());
  if (runner == nullptr) {
    failure.error = no_runner_error(t);
    events.emit("failed", {{"node", key}, {"task", t.name}, {"error", failure.error}});
    return std::nullopt;
  }
  // A tensor input that contradicts the declaration fails the node before it runs.
  ShapeBindings shapes;
  if (!check_tensor_inputs(m_, t, args, shapes, failure.error)) {
    events.emit("failed", {{"node", key}, {"task", t.name}, {"error", failure.error}});
    return std::nullopt;
  }
  std::string node_dir = opt_.store->node_dir(key);
  std::optional<std::string> ckey;
  if (t.cache && opt_.cache != nullptr) ckey = cache_key(t, args);
  if (ckey && !opt_.overwrite_cache) {
    if (std::optional<Value> hit = lookup(key, t, args, *ckey, failure.error)) return hit;
    if (!failure.error.empty()) return std::nullopt;
  }
  // As the resolve-attributes pass decided: call site, then task, then defaults.
  const ir::Attributes& attributes = n.attributes();
  int64_t retries = attributes.retries;
  std::optional<double> timeout = attributes.timeout_s;
  // Attempts are numbered across resumed runs, so that an interrupted attempt's
  // checkpoint is the next one's FLYTE_PREV_CHECKPOINT_DIR, and its logs stay.
  int first = opt_.store->last_attempt(key) + 1;
  for (int tries = 0; tries <= retries; ++tries) {
    int attempt = first + tries;
    AttemptSpec spec;
    spec.module = &m_;
    spec.task = &t;
    spec.args = args;
    spec.run_id = opt_.run_id;
    spec.node_key = key;
    spec.attempt = attempt;
    spec.attempt_dir = opt_.store->attempt_dir(key, attempt);
    spec.checkpoint_dir = opt_.store->checkpoint_dir(key, attempt);
    if (attempt > 1) spec.prev_checkpoint_dir = opt_.store->checkpoint_dir(key, attempt - 1);
    spec.node_dir = node_dir;
    spec.timeout_s = timeout;
    spec.visible_gpus = visible_gpus;
    spec.attributes = &attributes;
    spec.dims = shapes.dim_values();
    events.emit("started", {{"node", key}, {"task", t.name}, {"attempt", attempt}});
    AttemptResult r = runner->run(spec, cancel);
    if (r.status == AttemptResult::Status::Ok) {
      events.emit("finished", {{"node", key}, {"task", t.name}, {"attempt", attempt}});
      if (ckey) {
        std::string error;
        if (!opt_.cache->store(*ckey, r.outputs, path_outputs(t, r.outputs), error))
          events.log("flytec: warning: cannot store in the cache: " + error);
      }
      if (!keep(key, t, args, r.outputs, failure.error)) {
        events.emit(
            "failed",
            {{"node", key}, {"task", t.name}, {"attempt", attempt}, {"error", failure.error}});
        return std::nullopt;
      }
      return r.outputs;
    }
    if (r.status == AttemptResult::Status::Cancelled || cancel) {
      failure.error = "cancelled";
      return std::nullopt;
    }
    // A command that fails on a full disk is not to blame for it.
    if (std::string full = opt_.fs->full_disk_note(spec.attempt_dir); !full.empty())
      r.error += "; " + full;
    failure.error = r.error;
    failure.log_tail = r.log.empty() ? "" : tail_lines(r.log, 10);
    if (tries < retries) {
      double delay = opt_.retry_backoff_s * static_cast<double>(1 << std::min<int64_t>(tries, 10));
      events.emit("retried", {{"node", key},
                              {"task", t.name},
                              {"attempt", attempt},
                              {"error", r.error},
                              {"delay", delay}});
      events.log(fmt::format("flytec: '{}' (task '{}') attempt {} failed: {}; retrying in {}s", key,
                             t.name, attempt, r.error, delay));
      if (!opt_.clock->sleep(delay, cancel)) {
        failure.error = "cancelled";
        return std::nullopt;
      }
    } else {
      events.emit("failed",
                  {{"node", key}, {"task", t.name}, {"attempt", attempt}, {"error", r.error}});
    }
  }
  return std::nullopt;
}

}  // namespace flyte::rt
