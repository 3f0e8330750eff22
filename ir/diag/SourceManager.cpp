// Source buffers and the offset -> line/column mapping.
#include "ir/diag/SourceManager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "support/Check.h"

namespace flyte {

struct SourceManager::File {
  std::string name;
  std::string text;
  // Offsets at which each line starts; built lazily because most files never need it.
  mutable std::vector<uint32_t> line_starts;
  // The last column computed: diagnostics are printed in order, so the next question is
  // usually near it, and counting from here keeps a very long line from being counted
  // again for every diagnostic on it.
  mutable uint32_t last_offset = 0;
  mutable LineColumn last{1, 1};

  const std::vector<uint32_t>& lines() const {
    if (line_starts.empty()) {
      line_starts.push_back(0);
      const char* base = text.data();
      const char* end = base + text.size();
      for (const char* p = base; p < end;) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        line_starts.push_back(static_cast<uint32_t>(p - base));
      }
    }
    return line_starts;
  }
};

SourceManager::SourceManager() = default;
SourceManager::~SourceManager() = default;

namespace {

// What a file that is not a regular file is, for the error message.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode))
    return "is a FIFO (named pipe), not a regular file; use '-' to read standard input";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
  if (S_ISSOCK(mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string too_large(uint64_t size) {
  return "file is too large (" + std::to_string(size) + " bytes; the limit is " +
         std::to_string(kMaxSourceBytes >> 20) + " MiB)";
}

}  // namespace

std::optional<FileId> SourceManager::load_file(const std::string& path, std::string& error) {
  // O_NONBLOCK: opening a FIFO that has no writer must not wait for one. The type is
  // then checked on the open file itself, so that it cannot change in between.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int open_errno = errno;
    struct stat st {};
    // A socket cannot be opened at all (ENXIO); say what it is.
    bool special = ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
    error = special ? kind_of(st.st_mode) : std::strerror(open_errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = kind_of(st.st_mode);
    ::close(fd);
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxSourceBytes) {
    error = too_large(static_cast<uint64_t>(st.st_size));
    ::close(fd);
    return std::nullopt;
  }
  // A regular file never blocks; read up to one byte past the limit, in case it grew.
  std::string text;
  text.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  while (true) {
    if (got == text.size()) {
      if (text.size() > kMaxSourceBytes) break;
      text.resize(std::min(text.size() * 2 + 4096, kMaxSourceBytes + 1));
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxSourceBytes) {
    error = too_large(got);
    return std::nullopt;
  }
  text.resize(got);
  return add_buffer(path, std::move(text));
}

FileId SourceManager::add_buffer(std::string name, std::string text) {
  auto f = std::make_unique<File>();
  f->name = std::move(name);
  f->text = std::move(text);
  files_.push_back(std::move(f));
  return FileId{static_cast<uint32_t>(files_.size() - 1)};
}

const SourceManager::File& SourceManager::file(FileId id) const {
  FLYTEC_CHECK(id.index < files_.size(), "invalid FileId");
  return *files_[id.index];
}

std::optional<FileId> SourceManager::find(std::string_view path) const {
  for (uint32_t i = 0; i < files_.size(); ++i) {
    if (files_[i]->name == path) return FileId{i};
  }
  return std::nullopt;
}

std::string_view SourceManager::text(FileId id) const { return file(id).text; }
const std::string& SourceManager::name(FileId id) const { return file(id).name; }

uint32_t SourceManager::line_count(FileId id) const {
  return static_cast<uint32_t>(file(id).lines().size());
}

uint32_t SourceManager::line_start(FileId id, uint32_t line) const {
  const auto& lines = file(id).lines();
  FLYTEC_CHECK(line >= 1 && line <= lines.size(), "line out of range");
  return lines[line - 1];
}

LineColumn SourceManager::line_column(FileId id, uint32_t offset) const {
  const File& f = file(id);
  const auto& lines = f.lines();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size()));
  auto it = std::upper_bound(lines.begin(), lines.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - lines.begin());
  uint32_t start = lines[line - 1];
  // Count code points: every byte that is not a UTF-8 continuation byte starts one.
  auto points = [&](uint32_t from, uint32_t to) {
    uint32_t n = 0;
    for (uint32_t i = from; i < to; ++i)
      n += (static_cast<unsigned char>(f.text[i]) & 0xC0) != 0x80;
    return n;
  };
  uint32_t column;
  if (f.last.line == line && f.last_offset >= start) {
    // From the cached point, forwards or backwards (a continuation byte never starts a
    // column, so both ways count the same code points).
    column = offset >= f.last_offset && offset - f.last_offset < offset - start
                 ? f.last.column + points(f.last_offset, offset)
             : offset < f.last_offset && f.last_offset - offset < offset - start
                 ? f.last.column - points(offset, f.last_offset)
                 : 1 + points(start, offset);
  } else {
    column = 1 + points(start, offset);
  }
  f.last_offset = offset;
  f.last = {line, column};
  return {line, column};
}

std::string_view SourceManager::line_text(FileId id, uint32_t line) const {
  const File& f = file(id);
  const auto& lines = f.lines();
  FLYTEC_CHECK(line >= 1 && line <= lines.size(), "line out of range");
  uint32_t start = lines[line - 1];
  uint32_t end = line < lines.size() ? lines[line] - 1 : static_cast<uint32_t>(f.text.size());
  std::string_view s(f.text.data() + start, end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace flyte
