// Where a run keeps what its task nodes make: each node's outputs, its attempts'
// directories and the journal of finished nodes. The node executor asks the store for
// every path; it builds none itself. RunDirStore is today's run directory
// (`<run>/nodes/<key>/`, `<run>/journal`); a directory shared by the nodes of a cluster
// job comes next.
#pragma once

#include <string>

#include "backends/local/runtime/Value.h"

namespace flyte::rt {

class FileSystem;
class Journal;

class Store {
 public:
  virtual ~Store() = default;
  /// The directory that holds node `key`'s kept outputs (not created).
  virtual std::string node_dir(const std::string& key) const = 0;
  /// The directory of attempt `attempt` (from 1) of node `key` (not created).
  virtual std::string attempt_dir(const std::string& key, int attempt) const = 0;
  /// Attempt `attempt`'s checkpoint directory: FLYTE_CHECKPOINT_DIR.
  virtual std::string checkpoint_dir(const std::string& key, int attempt) const = 0;
  /// The highest attempt of node `key` that an earlier process of this run started, or 0.
  virtual int last_attempt(const std::string& key) = 0;
  /// Keeps finished node `key`: its `outputs` (`outputs.json` in its directory), then
  /// `record` in the journal, so that a resumed run does not redo it. False with `error`
  /// (naming the path; a full disk as such) when either cannot be written. Thread-safe.
  virtual bool keep(const std::string& key, const Value& outputs, const Value& record,
                    std::string& error) = 0;
};

/// The store of a local run: the run directory `run_path` and its journal (none: no
/// journal records).
class RunDirStore final : public Store {
 public:
  RunDirStore(std::string run_path, Journal* journal, FileSystem& fs)
      : run_path_(std::move(run_path)), journal_(journal), fs_(fs) {}
  std::string node_dir(const std::string& key) const override;
  std::string attempt_dir(const std::string& key, int attempt) const override;
  std::string checkpoint_dir(const std::string& key, int attempt) const override;
  int last_attempt(const std::string& key) override;
  bool keep(const std::string& key, const Value& outputs, const Value& record,
            std::string& error) override;

 private:
  std::string run_path_;
  Journal* journal_;
  FileSystem& fs_;
};

}  // namespace flyte::rt
