// The content-addressed task cache (`--cache-dir`, `$FLYTE_CACHE_DIR`, default
// `~/.cache/flytec`). An entry is a directory `<dir>/<key[0..2]>/<key>/` holding
// `manifest.json` (the outputs as JSON, and for each output that is a file or directory
// its relative path and the XXH3-128 of its contents) and the files themselves. Entries
// are built in a temporary directory and renamed into place, so two runs sharing a cache
// never see half an entry; a lost race leaves the winner's entry. An entry whose files
// are missing or damaged is a miss, never an error.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/Hash.h"

namespace flyte::rt {

using flyte::Hasher;

/// Adds the contents of the file or directory at `path` to `h` (directories: sorted
/// relative names, types and file contents, recursively; symbolic links inside by their
/// target text); false (with `error`) when it cannot be read.
bool add_path(Hasher& h, const std::string& path, std::string& error);

/// XXH3-128 of a whole file or directory, as 32 hex digits; nullopt when unreadable.
std::optional<std::string> hash_path(const std::string& path);

class Cache {
 public:
  explicit Cache(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  /// Looks up `key` (32 hex digits). On a hit, copies the entry's files into `dest_dir`
  /// (which exists) under their output names and returns the outputs with those paths
  /// put in place of the stored ones. A missing entry, or one whose manifest is unreadable
  /// or whose files are missing or do not match their hashes, is a miss (nullopt).
  std::optional<nlohmann::json> lookup(const std::string& key, const std::string& dest_dir) const;

  /// Stores `outputs` (a JSON object keyed by output name) under `key`. The outputs named
  /// in `path_outputs` hold absolute paths of files or directories, which are copied into
  /// the entry. False with `error` set when the entry cannot be written (the run goes on).
  /// `path_outputs` name outputs (`model`) or, for files nested in outputs, give their
  /// JSON pointers (`/parts/2`); each is copied into the entry and restored by lookup().
  bool store(const std::string& key, const nlohmann::json& outputs,
             const std::vector<std::string>& path_outputs, std::string& error) const;

  /// Removes what stores killed midway left behind (temporary and trash directories
  /// whose builder is gone); entries being built by live runs stay. How many it removed.
  size_t sweep() const;

 private:
  std::string dir_;
};

}  // namespace flyte::rt
