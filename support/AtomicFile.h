// Writes a whole file so that readers see the old contents or the new, never a part:
// a temporary file beside the target, fsync, then rename over it.
#pragma once

#include <string>
#include <string_view>

namespace flyte {

/// Writes `data` to `path` atomically. On failure returns false with `error` set (the
/// reason, without the path) and `errno` the cause, and leaves any existing file
/// untouched. With `durable` false the data is not synced
/// before the rename: readers (and a killed process) still see the old file or the new
/// one, but after a power loss the new one may be empty; for files that something
/// synced (a journal) can rebuild.
bool write_file_atomically(const std::string& path, std::string_view data, std::string& error,
                           bool durable = true);

}  // namespace flyte
