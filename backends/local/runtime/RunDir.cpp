// Run directories.
#include "backends/local/runtime/RunDir.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "backends/local/runtime/Process.h"
#include "support/AtomicFile.h"
#include "support/ReadFile.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

/// Runs are built under this prefix and renamed to their id once complete.
constexpr const char* kStagingPrefix = ".tmp-run-";

std::string new_id() {
  std::time_t now = std::time(nullptr);
  std::random_device rd;
  return fmt::format("{:%Y%m%d-%H%M%S}-{:04x}", fmt::localtime(now), rd() & 0xffff);
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() < 100 && id.find('/') == std::string::npos && id != "." &&
         id != ".." && id.rfind(kStagingPrefix, 0) != 0;
}

/// Test hook (docs/runtime.md, "Test hooks"): SIGKILL this process at run-creation point
/// `point` when FLYTE_TEST_CRASH_AT names it.
void test_crash_point(const char* point) {
  const char* want = std::getenv("FLYTE_TEST_CRASH_AT");
  if (want != nullptr && std::strcmp(want, point) == 0) {
    ::kill(::getpid(), SIGKILL);
    ::_exit(137);  // not reached
  }
}

/// Whether `name` is a temporary file of write_file_atomically: `<name>.tmp.XXXXXX`.
bool is_atomic_temporary(const std::string& name) {
  size_t n = name.size();
  if (n < 11 || name.compare(n - 11, 5, ".tmp.") != 0) return false;
  for (size_t i = n - 6; i < n; ++i) {
    if (!std::isalnum(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

/// Removes the temporary files a killed process left directly in `dir`.
void remove_temporaries_in(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    std::error_code ec2;
    if (is_atomic_temporary(name) && !e.is_directory(ec2)) fs::remove(e.path(), ec2);
  }
}

/// Syncs a directory, so that names created or renamed in it survive a power loss.
void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

/// Whether nobody holds the lock of the run directory `dir` (which has a `lock` file).
bool lock_is_free(const std::string& dir) {
  int fd = ::open((dir + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);  // releases it
  return free;
}

/// A run directory that an older runtime left half made when it was killed as it
/// started: no run.json, nothing but its lock and temporary files.
bool half_made(const std::string& dir) {
  if (::access((dir + "/run.json").c_str(), F_OK) == 0) return false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name != "lock" && !is_atomic_temporary(name)) return false;
  }
  return !ec;
}

/// Holds `<root>/.lock` while runs are created or swept there, so that a sweep never
/// meets a run that a live process is still creating. Closing the descriptor (or the
/// process dying) releases it. -1 when it cannot be taken; creating and sweeping then go
/// on unserialized.
class RootLock {
 public:
  explicit RootLock(const std::string& root) {
    fd_ = ::open((root + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~RootLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  RootLock(const RootLock&) = delete;
  RootLock& operator=(const RootLock&) = delete;

 private:
  int fd_ = -1;
};

/// What killed processes left in the run directory `root` (whose RootLock the caller
/// holds, so that no live process is creating a run there): half-built runs, temporary
/// copies of `latest`, and the run `latest` names when an older runtime left it half made.
void sweep_root(const std::string& root) {
  std::error_code ec;
  std::vector<std::string> stale;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(kStagingPrefix, 0) == 0 ||
        (name.rfind("latest.tmp.", 0) == 0 && is_atomic_temporary(name)))
      stale.push_back(e.path().string());
  }
  std::string text, ignored;
  if (read_file_bounded(root + "/latest", text, ignored, {4096, false})) {
    std::string id = text.substr(0, text.find('\n'));
    std::string path = root + "/" + id;
    if (valid_id(id) && fs::is_directory(path, ec) && half_made(path) && lock_is_free(path))
      stale.push_back(path);
  }
  for (const std::string& path : stale) fs::remove_all(path, ec);
}

}  // namespace

RunDir::RunDir(std::string root, std::string id)
    : root_(std::move(root)), id_(std::move(id)), path_(root_ + "/" + id_) {}

RunDir::RunDir(RunDir&& other) noexcept
    : root_(std::move(other.root_)),
      id_(std::move(other.id_)),
      path_(std::move(other.path_)),
      lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

RunDir& RunDir::operator=(RunDir&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    root_ = std::move(other.root_);
    id_ = std::move(other.id_);
    path_ = std::move(other.path_);
    lock_fd_ = other.lock_fd_;
    other.lock_fd_ = -1;
  }
  return *this;
}

RunDir::~RunDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool RunDir::lock(std::string& error) {
  lock_fd_ = ::open((path_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    error = fmt::format("cannot lock run '{}': {}", id_, std::strerror(errno));
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    error = fmt::format("run '{}' is in use by another process", id_);
    return false;
  }
  return true;
}

std::optional<RunDir> RunDir::create(const std::string& root, Value meta, std::string& error) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    error = fmt::format("cannot create run directory '{}': {}", root, ec.message());
    return std::nullopt;
  }
  RootLock root_lock(root);
  sweep_root(root);
  for (int tries = 0; tries < 100; ++tries) {
    std::string id = new_id();
    std::string final_path = fmt::format("{}/{}", root, id);
    if (::access(final_path.c_str(), F_OK) == 0) continue;  // another run this second
    // Built under a temporary name, locked, with its run.json, and only then renamed
    // into place: a run that is seen at all can be resumed, and `latest` moves last.
    RunDir d(root, id);
    d.path_ = fmt::format("{}/{}{}", root, kStagingPrefix, id);
    if (::mkdir(d.path_.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      error = write_error(d.path_, errno, "cannot create");
      return std::nullopt;
    }
    test_crash_point("run-dir-made");
    d.lock_fd_ = ::open((d.path_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d.lock_fd_ < 0 || ::flock(d.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      error = write_error(d.path_ + "/lock", errno, "cannot create");
      fs::remove_all(d.path_, ec);
      return std::nullopt;
    }
    test_crash_point("run-locked");
    meta["id"] = id;
    if (!write_file_atomically(d.path_ + "/run.json",
                               meta.dump(2, ' ', false, Value::error_handler_t::replace) + "\n",
                               error)) {
      error = write_error(d.path_ + "/run.json", errno, "cannot write");
      fs::remove_all(d.path_, ec);
      return std::nullopt;
    }
    test_crash_point("run-meta-written");
    if (::rename(d.path_.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      fs::remove_all(d.path_, ec);
      if (err == EEXIST || err == ENOTEMPTY) continue;
      error = write_error(final_path, err, "cannot create");
      return std::nullopt;
    }
    d.path_ = final_path;
    sync_dir(root);
    test_crash_point("run-renamed");
    if (!write_file_atomically(root + "/latest", id + "\n", error)) {
      error = write_error(root + "/latest", errno, "cannot write");
      return std::nullopt;
    }
    test_crash_point("latest-written");
    return d;
  }
  error = "cannot find a free run id";
  return std::nullopt;
}

std::optional<RunDir> RunDir::open(const std::string& root, const std::string& id,
                                   std::string& error) {
  std::string chosen = id;
  if (chosen.empty()) {
    std::string text, ignored;
    read_file_bounded(root + "/latest", text, ignored, {4096, false});
    chosen = text.substr(0, text.find('\n'));
    if (chosen.empty()) {
      error = fmt::format("no run to resume in '{}'", root);
      return std::nullopt;
    }
  }
  if (!valid_id(chosen) || !fs::is_directory(root + "/" + chosen)) {
    error = fmt::format("no run '{}' in '{}'", chosen, root);
    return std::nullopt;
  }
  RunDir d(root, chosen);
  if (!d.lock(error)) return std::nullopt;
  if (half_made(d.path_)) {
    error = fmt::format(
        "run '{}' in '{}' was never completely created (the process that started it was "
        "killed before it wrote run.json); start a new run",
        chosen, root);
    return std::nullopt;
  }
  // Processes a killed process of this run left running (if its guardian was killed
  // too) would run beside the attempts this one starts.
  std::string env_prefix = "FLYTE_CHECKPOINT_DIR=" + fs::absolute(d.path_).string() + "/";
  if (int n = kill_leftover_processes(env_prefix); n > 0)
    std::fprintf(stderr,
                 "warning: killed %d process%s left running by an earlier process of run "
                 "'%s'\n",
                 n, n == 1 ? "" : "es", chosen.c_str());
  {
    RootLock root_lock(root);
    sweep_root(root);
  }
  d.remove_temporaries();
  return d;
}

void RunDir::remove_temporaries() const {
  // Only where the runtime itself writes: the run's top level, each node's directory
  // and each attempt's. Never inside `work/`, checkpoints or Dir outputs, which belong
  // to the tasks.
  remove_temporaries_in(path_);
  std::error_code ec;
  for (const auto& node : fs::directory_iterator(path_ + "/nodes", ec)) {
    std::error_code ec2;
    if (!node.is_directory(ec2)) continue;
    remove_temporaries_in(node.path().string());
    for (const auto& a : fs::directory_iterator(node.path(), ec2)) {
      std::error_code ec3;
      if (a.path().filename().string().rfind("attempt-", 0) == 0 && a.is_directory(ec3))
        remove_temporaries_in(a.path().string());
    }
  }
}

std::optional<Value> RunDir::read_meta(std::string& error) const {
  std::string text, why;
  if (!read_file_bounded(path_ + "/run.json", text, why)) {
    error = why == std::strerror(ENOENT)
                ? fmt::format("run '{}' has no run.json", id_)
                : fmt::format("run '{}' has a damaged run.json: it {}", id_, why);
    return std::nullopt;
  }
  Value v = parse_json(text, why).value_or(Value());
  if (!v.is_object() || !v.contains("inputs") || !v.contains("plan") || !v["plan"].is_string() ||
      !v.contains("workflow") || !v["workflow"].is_string()) {
    error = fmt::format("run '{}' has a damaged run.json", id_);
    return std::nullopt;
  }
  return v;
}

bool RunDir::write_status(const Value& status, std::string& error) const {
  std::string path = path_ + "/status.json";
  if (write_file_atomically(
          path, status.dump(2, ' ', false, Value::error_handler_t::replace) + "\n", error))
    return true;
  error = write_error(path, errno);
  return false;
}

}  // namespace flyte::rt
