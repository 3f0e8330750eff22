// Writes a file the user named with `-o`: a regular file or a new path is replaced
// atomically (write_file_atomically), but an existing file that is not a regular one (a
// device such as /dev/null, a FIFO) is opened and written in place, never replaced.
#pragma once

#include <string>
#include <string_view>

namespace flyte {

/// True when `path` (through symlinks) exists and is neither a regular file nor a
/// directory: a character or block device, a FIFO, a socket.
bool is_special_file(const std::string& path);

/// Writes `data` to `path`: in place when it is a special file (is_special_file), else
/// atomically to the file `path` resolves to (a symlink stays a symlink). On failure
/// returns false with `error` set to the reason, without the path.
bool write_output_file(const std::string& path, std::string_view data, std::string& error);

/// Copies the file `from` into the special file `to`, written in place (opened for
/// writing, never replaced). False with `error`, a reason that names the file at fault.
bool copy_into_special_file(const std::string& from, const std::string& to, std::string& error);

}  // namespace flyte
