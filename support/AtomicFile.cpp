// Atomic file replacement.
#include "support/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
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

std::string write_error(const std::string& path, int err, const char* what) {
  std::string out = std::string(what) + " '" + path + "': ";
  if (err == ENOSPC || err == EDQUOT) return out + "the disk is full (" + std::strerror(err) + ")";
  return out + std::strerror(err);
}

std::string full_disk_note(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return "";
  // Root may use the blocks reserved for it; everyone else only the available ones.
  double unit = static_cast<double>(st.f_frsize != 0 ? st.f_frsize : st.f_bsize);
  double free_bytes = static_cast<double>(::geteuid() == 0 ? st.f_bfree : st.f_bavail) * unit;
  double total = static_cast<double>(st.f_blocks) * unit;
  // Nearly full: less than 1 MiB free, or than 2% of a small file system.
  double low = std::min(1024.0 * 1024.0, total / 50);
  bool no_inodes = st.f_files != 0 && (::geteuid() == 0 ? st.f_ffree : st.f_favail) == 0;
  if (free_bytes >= low && !no_inodes) return "";
  if (no_inodes) return "the disk holding '" + path + "' is full (no free inodes)";
  return "the disk holding '" + path + "' is full (" +
         std::to_string(static_cast<long long>(free_bytes / 1024)) + " KiB free)";
}

}  // namespace flyte
