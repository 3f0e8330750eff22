// Output files named by the user (see OutputFile.h).
#include "support/OutputFile.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/AtomicFile.h"

namespace flyte {
namespace {

// Writes all of `data` to `fd`; false with errno set.
bool write_all(int fd, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Opens the special file `path` for writing (a FIFO waits for its reader); -1 with `error`.
int open_special(const std::string& path, std::string& error) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) error = std::strerror(errno);
  return fd;
}

// Closes `fd`; false with `error` when the close reports a failed write.
bool close_checked(int fd, std::string& error) {
  if (::close(fd) != 0 && errno != EINTR) {
    error = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

bool is_special_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

bool write_output_file(const std::string& path, std::string_view data, std::string& error) {
  if (is_special_file(path)) {
    int fd = open_special(path, error);
    if (fd < 0) return false;
    if (!write_all(fd, data.data(), data.size())) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    return close_checked(fd, error);
  }
  // A symlink to a file: replace the file it points to, and keep the link.
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char real[PATH_MAX];
    if (::realpath(path.c_str(), real) != nullptr) return write_file_atomically(real, data, error);
  }
  return write_file_atomically(path, data, error);
}

bool copy_into_special_file(const std::string& from, const std::string& to, std::string& error) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    error = "cannot read '" + from + "': " + std::strerror(errno);
    return false;
  }
  int out = open_special(to, error);
  if (out < 0) {
    error = "cannot write '" + to + "': " + error;
    ::close(in);
    return false;
  }
  char buffer[1 << 16];
  bool ok = true;
  while (ok) {
    ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read '" + from + "': " + std::strerror(errno);
      ok = false;
    } else if (n == 0) {
      break;
    } else if (!write_all(out, buffer, static_cast<size_t>(n))) {
      error = "cannot write '" + to + "': " + std::strerror(errno);
      ok = false;
    }
  }
  ::close(in);
  std::string why;
  if (!close_checked(out, why) && ok) {
    error = "cannot write '" + to + "': " + why;
    ok = false;
  }
  return ok;
}

}  // namespace flyte
