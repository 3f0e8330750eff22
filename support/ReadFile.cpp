// Bounded reads of whole files.
#include "support/ReadFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flyte {
namespace {

std::string size_text(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

bool read_file_bounded(const std::string& path, std::string& text, std::string& error,
                       ReadLimits limits) {
  text.clear();
  // Opened without blocking, so that a FIFO nobody writes to does not wait forever;
  // reads then block as usual.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok) {
    error = std::strerror(errno);
  } else if (S_ISDIR(st.st_mode)) {
    error = "is a directory";
    ok = false;
  } else if (!S_ISREG(st.st_mode) && !(limits.allow_pipes && S_ISFIFO(st.st_mode))) {
    error = "is not a regular file";
    ok = false;
  } else if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > limits.max_bytes) {
    error = "is larger than " + size_text(limits.max_bytes);
    ok = false;
  }
  if (ok) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  char buf[1 << 16];
  while (ok) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ok = false;
    } else if (n == 0) {
      break;
    } else if (text.size() + static_cast<size_t>(n) > limits.max_bytes) {
      error = "is larger than " + size_text(limits.max_bytes);
      ok = false;
    } else {
      text.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (!ok) text.clear();
  return ok;
}

}  // namespace flyte
