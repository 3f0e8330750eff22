// What the scheduler needs to run one node of a plan rather than the whole workflow (the
// node mode, NodeMode.h): the node's key as steps, and hooks into a store that other
// processes filled. The scheduler walks down to the target; nodes it depends on are read
// from the store (expression nodes are evaluated; branches, maps and sub-workflows with
// no record are evaluated from their own nodes' records); nodes it does not depend on
// never start; the target itself runs in full.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/local/runtime/NodeExecutor.h"
#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"
#include "ir/NodeKey.h"

namespace flyte::rt {

/// A node's (or a map item's) record in the store.
struct StoredNode {
  enum class State { Absent, Done, Skipped, Failed } state = State::Absent;
  Value value;      // Done: the node's value as the scheduler holds it
  Failure failure;  // Failed: why
};

/// How the target ended, as the scheduler saw it.
struct TargetResult {
  enum class State { Done, Skipped, Failed } state = State::Failed;
  Value value;
  Failure failure;
};

class TargetHooks {
 public:
  virtual ~TargetHooks() = default;
  /// The record of node or map item `key` (`n0-3` for item 3 of map `n0`), whose value
  /// is of type `type`.
  virtual StoredNode lookup(const std::string& key, TypeId type) = 0;
  /// `@cache` task node `key` has no record (a memoized Argo step skipped its pod): its
  /// record restored from the cache's entry `cache_key`, as a node of type `type` whose
  /// value `value_of` makes from the task's outputs; Absent when the entry is not there.
  virtual StoredNode restore(const std::string& key, TypeId type, const std::string& cache_key,
                             const std::function<Value(const Value&)>& value_of) {
    (void)key, (void)type, (void)cache_key, (void)value_of;
    return {};
  }
  /// Task node `key` is needed but has no record: the run stops.
  virtual void missing(const std::string& key) = 0;
  /// A node inside the target finished (a task: Done or Failed; a node of an untaken
  /// branch arm: Skipped), so that it gets its own record.
  virtual void finished(const std::string& key, const ir::Node& n, const TargetResult& r) = 0;
  /// The target ended; the scheduler stops everything else.
  virtual void resolved(const TargetResult& r) = 0;
  /// The target cannot run (a map item beyond the list's end): the run stops.
  virtual void refused(const std::string& why) = 0;
};

struct NodeTarget {
  /// The target's key read back (ir::parse_node_key), checked against the plan. Empty:
  /// no target, every node of the workflow is read from the store (`--collect`).
  std::vector<ir::NodeKeyStep> steps;
  /// The last step's item: the target is that item of a map.
  bool item = false;
  /// The target is a map: only its length is wanted (`--map-length`); the value
  /// resolved is the number of items.
  bool length_only = false;
  /// The target is a branch: only which arm it takes is wanted (`--branch-arm`); the value
  /// resolved is the arm's index (the else arm's is the number of conditions).
  bool arm_only = false;
  TargetHooks* hooks = nullptr;
};

}  // namespace flyte::rt
