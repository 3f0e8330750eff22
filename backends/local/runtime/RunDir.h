// A run's directory, `<run-dir>/<run id>/`: `run.json` (the workflow, the plan's hash and
// the inputs it was started with), the journal, `nodes/<key>/` (each finished task's
// outputs), `attempts/<key>/<n>/` (working directory and logs of each attempt),
// `checkpoints/`, and `status.json` at the end. `<run-dir>/latest` names the newest run.
// A run directory is locked while a process uses it.
#pragma once

#include <optional>
#include <string>

#include "backends/local/runtime/Value.h"

namespace flyte::rt {

class RunDir {
 public:
  /// Creates a new run under `root`. nullopt with `error` when it cannot.
  static std::optional<RunDir> create(const std::string& root, std::string& error);
  /// Opens run `id` under `root` (empty: the latest) to resume it.
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
  bool write_meta(const Value& meta, std::string& error) const;
  bool write_status(const Value& status, std::string& error) const;

 private:
  RunDir(std::string root, std::string id);
  bool lock(std::string& error);
  std::string root_, id_, path_;
  int lock_fd_ = -1;
};

}  // namespace flyte::rt
