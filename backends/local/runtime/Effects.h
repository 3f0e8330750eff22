// The side effects the scheduler, the node executor and the shell runner make, behind
// small interfaces (STYLE.md, "Side effects behind small interfaces"): the clock
// (timestamps and the backoff before a retry), the file system calls they make
// themselves, and process spawning. The real implementations are process-wide
// singletons; unit tests pass fakes.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/local/runtime/Process.h"

namespace flyte::rt {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Now, in Unix seconds: the timestamps of events.
  virtual double now() = 0;
  /// Waits `seconds`; returns false as soon as `cancel` is true (checked at least every
  /// 20 ms), true once the time has passed.
  virtual bool sleep(double seconds, const std::atomic<bool>& cancel) = 0;
  /// The system clock.
  static Clock& system();
};

/// What a file or directory's size and modification time are: what the journal's digest
/// of a task's arguments records for each path among them.
struct FileStamp {
  int64_t size = 0;
  int64_t mtime_s = 0;
  int64_t mtime_ns = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  /// Creates `path` and its parents; false with `error` when it cannot.
  virtual bool make_dirs(const std::string& path, std::string& error) = 0;
  /// The names in directory `path` (none when it cannot be read).
  virtual std::vector<std::string> list(const std::string& path) = 0;
  /// Replaces the file at `path` with `text` atomically (not synced). False with `error`
  /// naming the path (and a full disk as such) when it cannot.
  virtual bool write_file(const std::string& path, const std::string& text, std::string& error) = 0;
  virtual std::optional<FileStamp> stat(const std::string& path) = 0;
  /// "the disk holding '<path>' is full (N KiB free)" when it is, else "".
  virtual std::string full_disk_note(const std::string& path) = 0;
  /// The real file system.
  static FileSystem& real();
};

class ProcessSpawner {
 public:
  virtual ~ProcessSpawner() = default;
  /// Runs `spec` and waits for it, as run_process() does.
  virtual ProcessResult run(const ProcessSpec& spec, const std::atomic<bool>& cancel) = 0;
  /// run_process().
  static ProcessSpawner& real();
};

}  // namespace flyte::rt
