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

/// "cannot write '<path>': <why>", where a full disk (ENOSPC, EDQUOT) is said in words:
/// "cannot write 'x': the disk is full (No space left on device)".
std::string write_error(const std::string& path, int err, const char* what = "cannot write");

/// When the file system holding `path` is (nearly) full, "the disk holding '<path>' is
/// full (N KiB free)"; otherwise "". For telling why a command that writes there failed.
std::string full_disk_note(const std::string& path);

}  // namespace flyte
