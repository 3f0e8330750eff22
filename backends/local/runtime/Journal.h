// The run journal: an append-only file of JSON records, one per line, each line
// `<crc32 as 8 hex digits> <compact JSON>\n`. Appends are made durable with fdatasync,
// batched (group commit) so that many appends share one sync. Reading skips and counts
// torn, damaged or foreign lines; it never fails on content.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flyte::rt {

class Journal {
 public:
  /// Opens (creating if needed) the journal at `path` for appending. If the file ends in
  /// a torn line (no final newline), the next record starts on a fresh line. Null with
  /// `error` set when the file cannot be opened.
  static std::unique_ptr<Journal> open(const std::string& path, std::string& error);

  /// Every intact record in the file at `path`, in order; `skipped` counts lines that
  /// were torn, had a wrong checksum or were not a JSON object. A missing file is empty.
  static std::vector<nlohmann::json> read(const std::string& path, size_t& skipped);

  ~Journal();  // flushes
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Appends `record` (a JSON object). Thread-safe. When `durable` is true, returns once
  /// the record is on disk; otherwise it is written at once and synced with a later batch.
  /// False, with `error` (naming the journal, and a full disk as such) when the record
  /// could not be written; the journal is then as it was before.
  bool append(const nlohmann::json& record, bool durable = true, std::string* error = nullptr);
  /// Returns once everything appended so far is on disk.
  void flush();

  /// Test hook (docs/runtime.md, "Test hooks"): when the environment variable `var` is
  /// exactly `node`, syncs the journal and kills this process with SIGKILL, as a crash
  /// at this point would. Does nothing otherwise.
  void crash_point(const char* var, const std::string& node);

 private:
  Journal() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flyte::rt
