// Runs one task node to completion: the cache lookup, then attempts (through the task
// runner of its kind) with retries and exponential backoff, the cache store, and the
// node's record in the store (its outputs and journal line). The scheduler calls it
// from its worker threads; a per-node mode (`wf --run-node NODE --store DIR`, for the
// Slurm and Kubernetes backends) can call it without a scheduler.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

class Cache;
class Clock;
class Events;
class FileSystem;
class RunnerRegistry;
class Store;

/// Why a node failed: its key, its task, the error and the last lines of its log.
struct Failure {
  std::string node, task, error, log_tail;
};

struct ExecutorOptions {
  std::string run_id;
  Store* store = nullptr;
  Cache* cache = nullptr;  // null: no caching
  bool overwrite_cache = false;
  Events* events = nullptr;
  double retry_backoff_s = 1.0;  // the first retry's delay; doubles each time
  const RunnerRegistry* runners = nullptr;
  Clock* clock = nullptr;
  FileSystem* fs = nullptr;
};

/// `v` (of type `type`) with every file and directory in it, at any depth, replaced by
/// its contents' hash; nullopt when one cannot be read.
std::optional<Value> with_contents(Value v, const TypeTable& types, TypeId type);

/// A digest of `v` (of type `type`) and of the contents of every file and directory in
/// it: equal for equal values, wherever the files are; nullopt when one is unreadable.
std::optional<std::string> value_digest(const Value& v, const TypeTable& types, TypeId type);

class NodeExecutor {
 public:
  /// Every pointer in `o` but `cache` must be set.
  NodeExecutor(const ir::Module& m, ExecutorOptions o) : m_(m), opt_(std::move(o)) {}

  /// Runs task node `node` (key `key`) on `args` (an object keyed by parameter name,
  /// defaults applied): its outputs object, or nullopt with `failure` filled in
  /// (`failure.error` is "cancelled" when `cancel` stopped it). `visible_gpus` is the
  /// attempt's CUDA_VISIBLE_DEVICES. Thread-safe.
  std::optional<Value> run(const std::string& key, const ir::Node& node, const Value& args,
                           const std::optional<std::string>& visible_gpus,
                           const std::atomic<bool>& cancel, Failure& failure) const;

  /// The cache key of task node `node` on `args` when its outputs may come from the
  /// cache: nullopt when the task is not cached, there is no cache, it is to be
  /// overwritten, or an input file cannot be read.
  std::optional<std::string> cache_key_of(const ir::Node& node, const Value& args) const;

  /// What a task ran with, as the journal records it: its arguments, and for files and
  /// directories their size and modification time, so that a rewritten input (an
  /// upstream task that ran again in a resumed run) does not count as the same.
  std::string args_digest(const ir::Task& t, const Value& args) const;

 private:
  std::optional<std::string> cache_key(const ir::Task& t, const Value& args) const;
  std::vector<std::string> path_outputs(const ir::Task& t, Value outputs) const;
  /// The cache's entry `ckey` for task node `key`, kept in the store: nullopt on a miss,
  /// or with `error` set when the store could not keep it.
  std::optional<Value> lookup(const std::string& key, const ir::Task& t, const Value& args,
                              const std::string& ckey, std::string& error) const;
  bool keep(const std::string& key, const ir::Task& t, const Value& args, const Value& outputs,
            std::string& error) const;

  const ir::Module& m_;
  ExecutorOptions opt_;
};

}  // namespace flyte::rt
