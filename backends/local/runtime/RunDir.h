// A run's directory, `<run-dir>/<run id>/`: `run.json` (the workflow, the plan's hash and
// the inputs it was started with), the journal, `nodes/<key>/` (each finished task's
// outputs) with `attempt-<n>/` (working directory, checkpoint and logs of each attempt),
// and `status.json` at the end. `<run-dir>/latest` names the newest run. A run directory
// is locked while a process uses it.
#pragma once

#include <optional>
#include <string>

#include "backends/local/runtime/Value.h"

namespace flyte::rt {

class RunDir {
 public:
  /// Creates a new run under `root` whose `run.json` is `meta` with its `id` added.
  /// The run is built and locked under a temporary name and renamed into place with its
  /// run.json, and only then does `latest` name it: a killed process leaves either no
  /// run (its temporary directory is swept by a later run) or a complete one. nullopt
  /// with `error` when it cannot.
  static std::optional<RunDir> create(const std::string& root, Value meta, std::string& error);
  /// Opens run `id` under `root` (empty: the latest) to resume it, and removes the
  /// temporary files a killed process left in it.
  static std::optional<RunDir> open(const std::string& root, const std::string& id,
                                    std::string& error);
  RunDir(RunDir&& other) noexcept;
  RunDir& operator=(RunDir&& other) noexcept;
  ~RunDir();

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  std::string journal_path() const { return path_ + "/journal"; }

  /// Reads `run.json`; nullopt with `error` when it is missing or damaged.
  std::optional<Value> read_meta(std::string& error) const;
  bool write_status(const Value& status, std::string& error) const;

 private:
  RunDir(std::string root, std::string id);
  bool lock(std::string& error);
  void remove_temporaries() const;
  std::string root_, id_, path_;
  int lock_fd_ = -1;
};

}  // namespace flyte::rt
