#include "backends/local/runtime/Process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

extern char** environ;

#if defined(__SANITIZE_THREAD__)
#define FLYTE_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FLYTE_THREAD_SANITIZER 1
#endif
#endif
#ifdef FLYTE_THREAD_SANITIZER
#include <sys/mman.h>
#endif

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

// --- Spawning ------------------------------------------------------------------------
//
// The child is started with clone(CLONE_VM | CLONE_VFORK), as posix_spawn does, because
// it needs one thing posix_spawn cannot do: PR_SET_PDEATHSIG, so that the shell dies
// with the executable (a kill -9 included) instead of running on beside a resumed run.
// Between clone and exec the child shares the parent's memory: it makes system calls
// only, on data prepared beforehand, and reports a failure through `error`.

struct ChildSetup {
  const char* stdout_path;
  const char* stderr_path;  // null: the same file as stdout
  const char* workdir;      // null: stay
  char* const* argv;
  char* const* envp;
  pid_t parent;
  int guard_fd;             // the guardian's socket, or -1
  int error = 0;            // errno of the step that failed
  const char* failed = "";  // which step
};

// Opens `path` onto descriptor `target`. 0 or an errno.
int open_onto(const char* path, int flags, int target) {
  int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, flags, 0644));
  if (fd < 0) return errno;
  if (fd != target) {
    if (dup2(fd, target) < 0) return errno;
    close(fd);
  }
  return 0;
}

// Decimal text of `v` into `out` (at least 24 bytes); returns the length.
size_t format_int(long v, char* out) {
  char tmp[24];
  size_t n = 0;
  bool neg = v < 0;
  unsigned long u = neg ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  size_t len = 0;
  if (neg) out[len++] = '-';
  while (n > 0) out[len++] = tmp[--n];
  return len;
}

int child_main(void* arg) {
  ChildSetup& c = *static_cast<ChildSetup*>(arg);
  auto fail = [&](const char* step, int err) {
    c.failed = step;
    c.error = err;
    _exit(127);
  };
  // Signal handlers the parent installed must not run in this copy of it; the mask was
  // blocked by the parent around clone and is cleared just before exec.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }
  // A process group of its own (pgid = pid), so that killing -pid reaches everything the
  // command starts.
  if (setpgid(0, 0) != 0) fail("setpgid", errno);
  // Dies with the executable. If the executable died already, do not start at all.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("prctl", errno);
  if (getppid() != c.parent) _exit(127);
  // The guardian kills this group if the executable dies (the shell's own children do
  // not get PDEATHSIG). Told before exec, so that no descendant escapes it.
  if (c.guard_fd >= 0) {
    char msg[32];
    msg[0] = '+';
    size_t n = 1 + format_int(static_cast<long>(getpid()), msg + 1);
    msg[n++] = '\n';
    send(c.guard_fd, msg, n, MSG_NOSIGNAL);
  }
  // The logs are opened before the chdir so that relative log paths mean the same as
  // they do to the caller.
  const int log_flags = O_WRONLY | O_CREAT | O_TRUNC;
  if (int e = open_onto("/dev/null", O_RDONLY, 0); e != 0) fail("/dev/null", e);
  if (int e = open_onto(c.stdout_path, log_flags, 1); e != 0) fail(c.stdout_path, e);
  if (c.stderr_path == nullptr) {
    // One file for both streams: share one open file description, so that the two
    // streams append after each other instead of overwriting each other.
    if (dup2(1, 2) < 0) fail(c.stdout_path, errno);
  } else if (int e = open_onto(c.stderr_path, log_flags, 2); e != 0) {
    fail(c.stderr_path, e);
  }
  if (c.workdir != nullptr && chdir(c.workdir) != 0) fail(c.workdir, errno);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  execve("/bin/sh", c.argv, c.envp);
  fail("/bin/sh", errno);
  return 127;
}

#ifdef FLYTE_THREAD_SANITIZER
// ThreadSanitizer cannot follow a child that runs on its parent's memory, as clone's
// CLONE_VM | CLONE_VFORK child does until it execs: its interceptors would change the
// parent's state. So a TSan build forks instead: `c` is copied into a shared page where
// the child reports a failed step, and a close-on-exec pipe tells the parent once the
// child has exec'd or exited, as vfork would. The same steps run in the child.
pid_t fork_child(ChildSetup& c) {
  int done[2];
  if (pipe2(done, O_CLOEXEC) != 0) return -1;
  void* page =
      mmap(nullptr, sizeof(ChildSetup), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    close(done[0]);
    close(done[1]);
    return -1;
  }
  auto* shared = new (page) ChildSetup(c);
  pid_t pid = fork();
  if (pid == 0) {
    close(done[0]);
    child_main(shared);
  }
  close(done[1]);
  char byte;
  while (pid > 0 && read(done[0], &byte, 1) < 0 && errno == EINTR) {
  }
  close(done[0]);
  c.error = shared->error;
  c.failed = shared->failed;
  munmap(page, sizeof(ChildSetup));
  return pid;
}
#endif

// --- The guardian ----------------------------------------------------------------------
//
// One process per executable, forked on the first spawn. It learns each task's process
// group over a socket ("+pgid" from the child before it execs, "-pgid" from the parent
// once it has killed and reaped the group). When the socket reaches end of file, the
// executable has gone (exited, or killed with SIGKILL), and the guardian kills every group
// still registered, then exits. It makes system calls only (it is a fork of a
// multithreaded process), keeps no descriptor but its socket, and has its own session,
// so that a terminal's Ctrl-C or a kill of the executable's process group leaves it to
// do its work.

constexpr size_t kGuardSlots = 16384;

[[noreturn]] void guardian_main(int fd) {
  setsid();
  int null_fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR, 0));
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
  }
  if (fd != 3) {
    dup2(fd, 3);
    fd = 3;
  }
  if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
    for (int i = 4; i < 65536; ++i) close(i);
  }
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2})
    sigaction(sig, &ign, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);

  static pid_t groups[kGuardSlots];  // 0: free
  char buf[4096];
  size_t have = 0;
  for (;;) {
    ssize_t n = recv(fd, buf + have, sizeof buf - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the executable has gone
    have += static_cast<size_t>(n);
    size_t line = 0;
    for (size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      char op = buf[line];
      long v = 0;
      for (size_t k = line + 1; k < i && buf[k] >= '0' && buf[k] <= '9'; ++k)
        v = v * 10 + (buf[k] - '0');
      pid_t pg = static_cast<pid_t>(v);
      if (pg > 1) {
        if (op == '+') {
          for (pid_t& g : groups) {
            if (g == 0) {
              g = pg;
              break;
            }
          }
        } else if (op == '-') {
          for (pid_t& g : groups) {
            if (g == pg) g = 0;
          }
        }
      }
      line = i + 1;
    }
    memmove(buf, buf + line, have - line);
    have -= line;
    if (have == sizeof buf) have = 0;  // a line that long is not ours
  }
  for (pid_t g : groups) {
    if (g > 1) kill(-g, SIGKILL);
  }
  _exit(0);
}

struct Guardian {
  std::mutex mu;
  int fd = -1;              // our end; -1 when there is no guardian
  pid_t owner = 0;          // the process it guards
  std::set<pid_t> running;  // process groups of commands now running
};

Guardian* start_guardian() {
  auto* gd = new Guardian();  // never destroyed: used until the process exits
  gd->owner = getpid();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return gd;
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    guardian_main(sv[1]);
  }
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return gd;
  }
  gd->fd = sv[0];
  return gd;
}

// This process's guardian, started on first use (again in a forked copy of a process
// that had one: that one guards its parent).
Guardian& guardian() {
  static std::mutex init_mu;
  static Guardian* g = nullptr;
  std::lock_guard<std::mutex> lock(init_mu);
  if (g == nullptr || g->owner != getpid()) g = start_guardian();
  return *g;
}

void guard_forget(pid_t pgid) {
  Guardian& g = guardian();
  std::lock_guard<std::mutex> lock(g.mu);
  g.running.erase(pgid);
  if (g.fd >= 0) {
    char msg[32];
    msg[0] = '-';
    size_t n = 1 + format_int(static_cast<long>(pgid), msg + 1);
    msg[n++] = '\n';
    send(g.fd, msg, n, MSG_NOSIGNAL);
  }
}

// Starts `/bin/sh -c command` as described by `spec`. The pid, or -1 with `error`.
pid_t spawn(const ProcessSpec& spec, std::string& error) {
  std::vector<std::string> args = {"/bin/sh", "-c", spec.command};
  std::vector<std::string> env = child_environment(spec.env);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  Guardian& g = guardian();
  ChildSetup c;
  c.stdout_path = spec.stdout_path.c_str();
  c.stderr_path = spec.stderr_path == spec.stdout_path ? nullptr : spec.stderr_path.c_str();
  c.workdir = spec.workdir.empty() ? nullptr : spec.workdir.c_str();
  c.argv = argv.data();
  c.envp = envp.data();
  c.parent = getpid();
  c.guard_fd = g.fd;
  // The child runs on a stack of its own until it execs.
  constexpr size_t kStack = size_t{64} * 1024;
  std::unique_ptr<char[]> stack(new char[kStack]);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid;
  {
    // Held across the spawn so that a second Ctrl-C's kill_running_processes sees every
    // group that has started.
    std::lock_guard<std::mutex> lock(g.mu);
#ifdef FLYTE_THREAD_SANITIZER
    pid = fork_child(c);
#else
    pid = clone(child_main, stack.get() + kStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
#endif
    if (pid > 0 && c.error == 0) g.running.insert(pid);
  }
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    error = "cannot start /bin/sh: " + errno_text(clone_errno);
    return -1;
  }
  if (c.error != 0) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    guard_forget(pid);
    std::string step = c.failed;
    if (c.workdir != nullptr && step == c.workdir) {
      error = "working directory " + spec.workdir + " does not exist or is not a directory (" +
              errno_text(c.error) + ")";
    } else if (step == spec.stdout_path || step == spec.stderr_path) {
      error = "cannot open the log " + step + ": " + errno_text(c.error);
    } else {
      error = "cannot start /bin/sh (" + step + "): " + errno_text(c.error);
    }
    return -1;
  }
  return pid;
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

namespace {
std::atomic<bool> checkpoint_stop{false};
}  // namespace

ProcessResult run_process(const ProcessSpec& spec, const std::atomic<bool>& cancel,
                          double grace_s) {
  ProcessResult r;
  const auto start = Clock::now();
  auto finish = [&]() -> ProcessResult& {
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };
  if (checkpoint_stop) {
    r.status = ProcessResult::Status::Cancelled;
    return finish();
  }

  pid_t pid = spawn(spec, r.error);
  if (pid < 0) return finish();

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
    guard_forget(pid);
    r.status = cancelled ? ProcessResult::Status::Cancelled : ProcessResult::Status::TimedOut;
    return finish();
  }
  // The shell is a zombie until reaped, so its pid still names our group: remove anything
  // the command left running in the background before letting the pid go.
  kill_group(pid, SIGKILL);
  bool reaped = reap(pid, r);
  guard_forget(pid);
  if (!reaped) {
    r.status = ProcessResult::Status::SpawnFailed;
    r.error = "lost track of child process " + std::to_string(pid) + " (reaped elsewhere)";
  } else if (checkpoint_stop) {
    r.status = ProcessResult::Status::Cancelled;
  }
  return finish();
}

void stop_for_checkpoint(int sig) {
  checkpoint_stop = true;
  Guardian& g = guardian();
  std::lock_guard<std::mutex> lock(g.mu);
  for (pid_t pgid : g.running) kill(-pgid, sig);
}

size_t running_process_count() {
  Guardian& g = guardian();
  std::lock_guard<std::mutex> lock(g.mu);
  return g.running.size();
}

void kill_running_processes() {
  Guardian& g = guardian();
  std::lock_guard<std::mutex> lock(g.mu);
  for (pid_t pgid : g.running) kill(-pgid, SIGKILL);
}

namespace {

struct ProcStat {
  char state;
  pid_t ppid;
};

/// A process's state letter and parent from /proc/<pid>/stat (`pid (comm) S ppid ...`;
/// the command may hold spaces and parentheses, so fields count from the last `)`).
std::optional<ProcStat> proc_stat(pid_t pid) {
  int fd = open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  std::string_view stat(buf, static_cast<size_t>(n));
  size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos || paren + 4 > stat.size()) return std::nullopt;
  return ProcStat{stat[paren + 2], static_cast<pid_t>(std::atol(buf + paren + 4))};
}

// One scan of /proc: kills every process, except those in `spare`, whose environment has
// an entry starting with `env_prefix`, and adds it to `victims`; returns how many.
int kill_matching_once(const std::string& env_prefix, const std::set<pid_t>& spare,
                       std::vector<pid_t>& victims) {
  int killed = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 1 || *end != '\0' || spare.count(static_cast<pid_t>(pid)) > 0) continue;
    int fd = open(("/proc/" + std::string(e->d_name) + "/environ").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string env;
    char buf[8192];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0 && env.size() < (1 << 20);)
      env.append(buf, static_cast<size_t>(n));
    close(fd);
    // Entries are NUL-separated; match the start of one.
    for (size_t at = 0; at < env.size();) {
      size_t nul = env.find('\0', at);
      if (nul == std::string::npos) nul = env.size();
      if (nul - at >= env_prefix.size() && env.compare(at, env_prefix.size(), env_prefix) == 0) {
        if (kill(static_cast<pid_t>(pid), SIGKILL) == 0) {
          ++killed;
          victims.push_back(static_cast<pid_t>(pid));
        }
        break;
      }
      at = nul + 1;
    }
  }
  closedir(proc);
  return killed;
}

}  // namespace

int kill_leftover_processes(const std::string& env_prefix) {
  // Environments are read from /proc; a process that is not ours cannot be read and is
  // left alone, and so are this process and its ancestors.
  std::set<pid_t> spare;
  for (pid_t p = getpid(); p > 1 && spare.insert(p).second;) {
    std::optional<ProcStat> st = proc_stat(p);
    if (!st) break;
    p = st->ppid;
  }
  // A process in the middle of exec shows no environment, and a shell may fork between
  // the scan's reads: scan again after every scan that killed something (at most 5).
  std::vector<pid_t> victims;
  int killed = 0;
  for (int pass = 0; pass < 5; ++pass) {
    int n = kill_matching_once(env_prefix, spare, victims);
    killed += n;
    if (n == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Returns once they are gone (or zombies), at most a second later.
  auto until = Clock::now() + std::chrono::seconds(1);
  for (pid_t p : victims) {
    while (Clock::now() < until) {
      std::optional<ProcStat> st = proc_stat(p);
      if (!st || st->state == 'Z' || st->state == 'X') break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  return killed;
}

std::string tail_lines(const std::string& path, size_t n) {
  constexpr off_t kMaxRead = off_t{64} * 1024;
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
