// The run journal: checksummed JSON lines, appended with group commit.
//
// Durability model: every append is one write(2) on an O_APPEND descriptor, so a record
// is either wholly in the file or (after a crash) a torn tail that `read` skips. Durable
// appends wait for an fdatasync that started after their write; one waiting thread (the
// leader) performs the sync for all writes made so far while the others sleep, so N
// concurrent appends cost about one sync instead of N.
#include "backends/local/runtime/Journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string_view>

#include "backends/local/runtime/Value.h"
#include "support/AtomicFile.h"
#include "support/ReadFile.h"

namespace flyte::rt {

namespace {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib computes it. The table is
// built at compile time, so it is computed exactly once and shared by all threads.
constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

uint32_t crc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : bytes) c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string hex8(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 0xF];
  return out;
}

// Lowercase hex only: the writer never produces anything else, so any other spelling is
// a damaged line.
std::optional<uint32_t> parse_hex8(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  uint32_t v = 0;
  for (char ch : s) {
    uint32_t d;
    if (ch >= '0' && ch <= '9') {
      d = static_cast<uint32_t>(ch - '0');
    } else if (ch >= 'a' && ch <= 'f') {
      d = static_cast<uint32_t>(ch - 'a' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}

// One journal line. Invalid UTF-8 in strings is replaced rather than thrown about: a
// record must never take the run down.
std::string format_line(const nlohmann::json& record) {
  std::string text = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string line = hex8(crc32(text));
  line.reserve(line.size() + text.size() + 2);
  line += ' ';
  line += text;
  line += '\n';
  return line;
}

// The record on one line (without its newline), or nullopt when the line is damaged.
std::optional<nlohmann::json> parse_line(std::string_view line) {
  if (line.size() < 10 || line[8] != ' ') return std::nullopt;
  std::optional<uint32_t> crc = parse_hex8(line.substr(0, 8));
  std::string_view text = line.substr(9);
  if (!crc || *crc != crc32(text)) return std::nullopt;
  try {
    std::string ignored;
    std::optional<nlohmann::json> record = parse_json(text, ignored);
    if (!record || !record->is_object()) return std::nullopt;
    return record;
  } catch (const std::exception&) {  // e.g. out of memory: still one bad line, not a crash
    return std::nullopt;
  }
}

// Writes all of `data`, retrying partial writes and interruptions. 0 or an errno.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Whether the non-empty file behind `fd` ends in a torn line (no final newline).
bool ends_torn(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size == 0) return false;
  char last = '\n';
  ssize_t n;
  do {
    n = ::pread(fd, &last, 1, st.st_size - 1);
  } while (n < 0 && errno == EINTR);
  return n == 1 && last != '\n';
}

// Makes a newly created journal's directory entry durable, so that a synced record
// cannot be lost with the file's name after a crash. Best effort.
void sync_parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  ::fsync(dfd);
  ::close(dfd);
}

}  // namespace

struct Journal::Impl {
  std::string path;
  int fd = -1;
  std::mutex mu;
  std::condition_variable synced;  // signalled whenever synced_seq advances
  uint64_t written_seq = 0;        // appends written so far
  uint64_t synced_seq = 0;         // appends known to be on disk
  bool syncing = false;            // a leader is inside fdatasync
  bool warned = false;             // an I/O error has been reported
  off_t size = 0;                  // the file's size; -1 once unknown

  // Reports the first I/O failure only: a full disk would otherwise print one warning
  // per record. The run goes on; the journal is an aid to resumption, not its result.
  void warn(const char* what, int err) {
    if (warned) return;
    warned = true;
    std::fprintf(stderr, "flytec: warning: journal: %s failed: %s\n", what,
                 write_error(path, err, "cannot sync").c_str());
  }

  // Returns (with `lock` held) once every append up to `target` is on disk. The first
  // thread to find no sync in progress becomes the leader and syncs everything written
  // so far; the rest wait for it and re-check, leading the next round if still behind.
  void wait_synced(std::unique_lock<std::mutex>& lock, uint64_t target) {
    while (synced_seq < target) {
      if (syncing) {
        synced.wait(lock);
        continue;
      }
      syncing = true;
      uint64_t upto = written_seq;
      lock.unlock();  // let other threads write while the disk works
      int err = ::fdatasync(fd) == 0 ? 0 : errno;
      lock.lock();
      syncing = false;
      // On failure the records are still counted as synced: waiting for a sync that will
      // not succeed would hang the run, and the failure has been reported.
      if (err != 0) warn("fdatasync", err);
      if (upto > synced_seq) synced_seq = upto;
      synced.notify_all();
    }
  }
};

std::unique_ptr<Journal> Journal::open(const std::string& path, std::string& error) {
  struct stat st;
  bool existed = ::stat(path.c_str(), &st) == 0;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = write_error(path, errno, "cannot open the journal");
    return nullptr;
  }
  // A crash mid-write leaves a torn last line; ending it here keeps the next record
  // from being glued onto it (and lost with it).
  if (ends_torn(fd)) {
    if (int err = write_all(fd, "\n"); err != 0) {
      error = write_error(path, err, "cannot write the journal");
      ::close(fd);
      return nullptr;
    }
  }
  if (!existed) sync_parent_dir(path);
  struct stat now;
  off_t size = ::fstat(fd, &now) == 0 ? now.st_size : -1;
  std::unique_ptr<Journal> journal(new Journal());
  journal->impl_ = std::make_unique<Impl>();
  journal->impl_->path = path;
  journal->impl_->fd = fd;
  journal->impl_->size = size;
  return journal;
}

Journal::~Journal() {
  if (!impl_) return;
  flush();
  ::close(impl_->fd);
}

bool Journal::append(const nlohmann::json& record, bool durable, std::string* error) {
  std::string line = format_line(record);  // outside the lock: serializing may be slow
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (int err = write_all(impl_->fd, line); err != 0) {
    // A part of the line may have been written (a full disk): cut it off, so that the
    // next record does not start mid-line and get lost with it.
    if (::ftruncate(impl_->fd, impl_->size) != 0) impl_->size = -1;
    if (error != nullptr) *error = write_error(impl_->path, err);
    return false;
  }
  if (impl_->size >= 0) impl_->size += static_cast<off_t>(line.size());
  uint64_t mine = ++impl_->written_seq;
  if (durable) impl_->wait_synced(lock, mine);
  return true;
}

void Journal::flush() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->wait_synced(lock, impl_->written_seq);
}

void Journal::crash_point(const char* var, const std::string& node) {
  const char* want = std::getenv(var);
  if (want == nullptr || node != want) return;
  flush();
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached
}

std::vector<nlohmann::json> Journal::read(const std::string& path, size_t& skipped) {
  skipped = 0;
  std::vector<nlohmann::json> records;
  std::string data, error;
  // A journal that cannot be read (a directory in its place, say) holds nothing usable:
  // every task runs again, as with a missing one.
  if (!read_file_bounded(path, data, error, {size_t{1} << 30, false})) {
    if (error != std::strerror(ENOENT)) ++skipped;
    return records;
  }
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {  // torn: the write of this line never finished
      ++skipped;
      break;
    }
    if (std::optional<nlohmann::json> record = parse_line(rest.substr(0, nl))) {
      records.push_back(std::move(*record));
    } else {
      ++skipped;
    }
    rest.remove_prefix(nl + 1);
  }
  return records;
}

}  // namespace flyte::rt
