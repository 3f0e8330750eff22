// Atomic file replacement.
#include "support/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace flyte {

bool write_file_atomically(const std::string& path, std::string_view data, std::string& error,
                           bool durable) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  auto fail = [&](int err) {
    error = std::strerror(err);
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = err;
    return false;
  };
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || (durable && ::fsync(fd) != 0)) return fail(errno);
  if (::close(fd) != 0) {
    int err = errno;
    error = std::strerror(err);
    ::unlink(tmp.c_str());
    errno = err;
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    error = std::strerror(err);
    ::unlink(tmp.c_str());
    errno = err;
    return false;
  }
  return true;
}

}  // namespace flyte
