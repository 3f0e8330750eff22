// The store shared by the jobs of a cluster run (`wf --store DIR`, the node mode): laid
// out like a local run directory (`run.json`, `journal`, `nodes/<key>/` with
// `outputs.json` and `attempt-<n>/`), plus each node's record: `manifest.json` (the
// node's value) and one marker, `done`, `skipped` or `failed`, written last, so that a
// node counts as finished only once everything it made is on disk. `running` names the
// process that runs it meanwhile. No lock is held: many jobs, on many machines, share it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/local/runtime/NodeExecutor.h"
#include "backends/local/runtime/Value.h"

namespace flyte::rt {

class NodeStore {
 public:
  enum class State { Pending, Running, Done, Skipped, Failed };
  static const char* state_name(State s);

  /// Creates the store `dir` with `meta` (the workflow, the plan's hash and the inputs)
  /// as its `run.json`, or reopens it. 0: created; 1: it holds exactly `meta` already;
  /// 2 with `error`: it holds other inputs, or cannot be made.
  static int init(const std::string& dir, const Value& meta, std::string& error);
  /// Opens the store `dir`; nullopt with `error` when it is not one (or is damaged).
  static std::optional<NodeStore> open(const std::string& dir, std::string& error);

  const std::string& path() const { return path_; }
  const Value& meta() const { return meta_; }
  std::string node_dir(const std::string& key) const { return path_ + "/nodes/" + key; }

  State state(const std::string& key) const;
  /// A done node's value; nullopt with `error` when its manifest is missing or damaged.
  std::optional<Value> value(const std::string& key, std::string& error) const;
  /// A failed node's failure (as recorded; what is missing is left empty).
  Failure failure(const std::string& key) const;
  /// Why a node was skipped, as recorded.
  std::string skip_reason(const std::string& key) const;

  /// Publishes node `key` as done with `value`: syncs the files in its directory, writes
  /// `manifest.json`, then the `done` marker. False with `error` when it cannot.
  bool publish_done(const std::string& key, const Value& value, std::string& error) const;
  /// Publishes node `key` as done with `value` from `dir`, a directory of this store's
  /// file system that holds its files (a node restored from the cache): the record is
  /// written there, then `dir` is renamed to the node's directory in one step. False when
  /// the node has a directory already (`lost`: another process restored it first) or with
  /// `error`; `dir` is removed then.
  bool adopt(const std::string& key, const std::string& dir, const Value& value, bool& lost,
             std::string& error) const;
  bool publish_skipped(const std::string& key, const std::string& why, std::string& error) const;
  bool publish_failed(const std::string& key, const Failure& f, std::string& error) const;
  /// The `running` marker (host and pid) while this process runs `key`.
  void mark_running(const std::string& key) const;
  void clear_running(const std::string& key) const;
  /// Removes a `failed` marker, so that the node runs again.
  void clear_failed(const std::string& key) const;
  /// Every key with a directory under `nodes/`, sorted.
  std::vector<std::string> keys() const;

 private:
  NodeStore(std::string path, Value meta) : path_(std::move(path)), meta_(std::move(meta)) {}
  std::string path_;
  Value meta_;
};

}  // namespace flyte::rt
