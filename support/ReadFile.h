// Reads a whole file that something outside the process may have damaged or replaced:
// never blocks on a FIFO, never reads a directory or a device, never grows past a limit.
#pragma once

#include <cstddef>
#include <string>

namespace flyte {

struct ReadLimits {
  size_t max_bytes = size_t{64} << 20;
  /// Also take pipes and FIFOs (`--inputs /dev/stdin`); a FIFO with no writer reads as
  /// empty. Otherwise only regular files are read.
  bool allow_pipes = false;
};

/// Reads the file at `path` (symbolic links followed) into `text`. False with `error`
/// ("No such file or directory", "is a directory", "is not a regular file", "is larger
/// than 64 MiB") otherwise.
bool read_file_bounded(const std::string& path, std::string& text, std::string& error,
                       ReadLimits limits = {});

}  // namespace flyte
