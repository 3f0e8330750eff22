#include "backends/local/runtime/Process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <system_error>
#include <thread>

extern char** environ;

namespace flyte::rt {

namespace {

using Clock = std::chrono::steady_clock;

// std::strerror is not thread-safe; the system category goes through strerror_r.
std::string errno_text(int err) { return std::system_category().message(err); }

// The characters shlex.quote leaves unquoted.
bool is_shell_safe(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
}

// The parent's environment with `extra` (KEY=VALUE) added, a later KEY replacing an
// earlier one. Read from `environ` rather than changed with setenv, which would race with
// other threads spawning at the same time.
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  auto key_of = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    std::string key = key_of(kv);
    bool replaced = std::any_of(extra.begin(), extra.end(),
                                [&](const std::string& x) { return key_of(x) == key; });
    if (!replaced) out.push_back(std::move(kv));
  }
  for (const std::string& kv : extra) {
    std::string key = key_of(kv);
    std::erase_if(out, [&](const std::string& x) { return key_of(x) == key; });
    out.push_back(kv);
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Owns the posix_spawn attribute and file-action objects for one spawn.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // Returns 0 or the first error code of the posix_spawn* calls.
  int configure(const ProcessSpec& spec) {
    // A process group of its own (pgid = pid), so that killing -pid reaches everything the
    // command starts. Signal mask and dispositions are reset because the calling thread
    // may block or ignore signals the command expects to receive.
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    int rc = posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attr_, 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr_, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr_, &all);
    // The logs are opened before the chdir so that relative log paths mean the same as
    // they do to the caller. The opened descriptors land on 0, 1 and 2, which exec keeps.
    const int log_flags = O_WRONLY | O_CREAT | O_TRUNC;
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
      rc =
          posix_spawn_file_actions_addopen(&actions_, 1, spec.stdout_path.c_str(), log_flags, 0644);
    if (rc == 0) {
      // One file for both streams: share one open file description, so that the two
      // streams append after each other instead of overwriting each other.
      rc = spec.stderr_path == spec.stdout_path
               ? posix_spawn_file_actions_adddup2(&actions_, 1, 2)
               : posix_spawn_file_actions_addopen(&actions_, 2, spec.stderr_path.c_str(), log_flags,
                                                  0644);
    }
    if (rc == 0 && !spec.workdir.empty())
      rc = posix_spawn_file_actions_addchdir_np(&actions_, spec.workdir.c_str());
    return rc;
  }

  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// Why a spawn failed, in words: glibc reports a failed file action or exec only as an
// errno, so look at the likely culprits to name the one that is wrong.
std::string spawn_failure(const ProcessSpec& spec, int err) {
  struct stat st;
  if (!spec.workdir.empty() && (stat(spec.workdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return "working directory " + spec.workdir + " does not exist or is not a directory";
  return "cannot start /bin/sh (working directory " + spec.workdir + ", logs " + spec.stdout_path +
         " and " + spec.stderr_path + "): " + errno_text(err);
}

// Waits for the exit of `pid` without reaping it, so that its pid (the process group id)
// cannot be reused before the group has been killed. Polls a pidfd when the kernel has
// pidfd_open (Linux 5.3), otherwise peeks with waitid(WNOWAIT) and short, growing sleeps.
class ExitWaiter {
 public:
  explicit ExitWaiter(pid_t pid) : pid_(pid) {
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  }
  ~ExitWaiter() {
    if (pidfd_ >= 0) close(pidfd_);
  }
  ExitWaiter(const ExitWaiter&) = delete;
  ExitWaiter& operator=(const ExitWaiter&) = delete;

  // True once the child has exited; false when `deadline` passes or `cancel` (may be
  // null) becomes true first.
  bool wait(Clock::time_point deadline, const std::atomic<bool>* cancel) {
    auto backoff = std::chrono::microseconds(200);
    for (;;) {
      if (exited()) return true;
      if (cancel && cancel->load()) return false;
      auto now = Clock::now();
      if (now >= deadline) return false;
      // At most 50 ms between looks at `cancel`, as promised by run_process.
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
      auto step = std::min<std::chrono::milliseconds>(left, std::chrono::milliseconds(50));
      if (pidfd_ >= 0) {
        pollfd p{pidfd_, POLLIN, 0};
        poll(&p, 1, static_cast<int>(step.count()));  // EINTR: just look again
      } else {
        std::this_thread::sleep_for(std::min<Clock::duration>(backoff, step));
        backoff = std::min<std::chrono::microseconds>(backoff * 2, std::chrono::milliseconds(10));
      }
    }
  }

 private:
  bool exited() {
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      return poll(&p, 1, 0) > 0;
    }
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return errno == ECHILD;  // nothing left to wait for (reaped by someone else)
    return info.si_pid == pid_;
  }

  pid_t pid_;
  int pidfd_ = -1;
};

void kill_group(pid_t pgid, int sig) {
  // ESRCH (nobody left in the group) is the normal case after a clean exit.
  kill(-pgid, sig);
}

// Reaps `pid` and fills in how it ended. Returns false when it was not our child.
bool reap(pid_t pid, ProcessResult& r) {
  int st = 0;
  pid_t got;
  do {
    got = waitpid(pid, &st, 0);
  } while (got < 0 && errno == EINTR);
  if (got != pid) return false;
  if (WIFEXITED(st)) {
    r.status = ProcessResult::Status::Exited;
    r.code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    r.status = ProcessResult::Status::Signaled;
    r.code = WTERMSIG(st);
  }
  return true;
}

Clock::time_point deadline_after(Clock::time_point start, std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds)) return Clock::time_point::max();
  // Clamped to ~30 years so that the conversion to clock ticks cannot overflow.
  double s = std::clamp(*seconds, 0.0, 1e9);
  return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

std::string shell_quote(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), is_shell_safe)) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\"'\"'";
    else
      out += c;
  }
  out += '\'';
  return out;
}

ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>& cancel,
                          double grace_s) {
  ProcessResult r;
  const auto start = Clock::now();
  auto finish = [&]() -> ProcessResult& {
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };

  SpawnSetup setup;
  if (int rc = setup.configure(spec); rc != 0) {
    r.error = "cannot set up the child process: " + errno_text(rc);
    return finish();
  }
  std::vector<std::string> args = {"/bin/sh", "-c", spec.command};
  std::vector<std::string> env = child_environment(spec.env);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  pid_t pid = 0;
  if (int rc =
          posix_spawn(&pid, "/bin/sh", setup.actions(), setup.attr(), argv.data(), envp.data());
      rc != 0) {
    r.error = spawn_failure(spec, rc);
    return finish();
  }

  ExitWaiter waiter(pid);
  const bool exited = waiter.wait(deadline_after(start, spec.timeout_s), &cancel);
  if (!exited) {
    // Ask nicely, then force. The group is killed with SIGKILL even when the shell obeyed
    // SIGTERM, since a background child may ignore it.
    const bool cancelled = cancel.load();
    kill_group(pid, SIGTERM);
    waiter.wait(deadline_after(Clock::now(), grace_s), nullptr);
    kill_group(pid, SIGKILL);
    reap(pid, r);
    r.status = cancelled ? ProcessResult::Status::Cancelled : ProcessResult::Status::TimedOut;
    return finish();
  }
  // The shell is a zombie until reaped, so its pid still names our group: remove anything
  // the command left running in the background before letting the pid go.
  kill_group(pid, SIGKILL);
  if (!reap(pid, r)) {
    r.status = ProcessResult::Status::SpawnFailed;
    r.error = "lost track of child process " + std::to_string(pid) + " (reaped elsewhere)";
  }
  return finish();
}

std::string tail_lines(const std::string& path, size_t n) {
  constexpr off_t kMaxRead = 64 * 1024;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return "";
  }
  const off_t begin = std::max<off_t>(0, st.st_size - kMaxRead);
  std::string text(static_cast<size_t>(st.st_size - begin), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t k = pread(fd, text.data() + got, text.size() - got, begin + static_cast<off_t>(got));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;  // error, or the file shrank meanwhile
    got += static_cast<size_t>(k);
  }
  close(fd);
  text.resize(got);

  // A read that starts mid-file starts mid-line: drop that partial line.
  size_t first = 0;
  if (begin > 0) {
    size_t nl = text.find('\n');
    first = nl == std::string::npos ? text.size() : nl + 1;
  }
  if (n == 0) return "";
  // Walk back over n line ends; the final newline of the file ends the last line rather
  // than starting an empty one.
  size_t end = text.size();
  size_t pos = end;
  if (pos > first && text[pos - 1] == '\n') --pos;
  size_t lines = 0;
  while (pos > first) {
    if (text[pos - 1] == '\n' && ++lines == n) break;
    --pos;
  }
  return text.substr(pos, end - pos);
}

}  // namespace flyte::rt
