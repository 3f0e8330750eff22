// Running shell commands: quoting, exit status, logs, environment, working directory,
// timeouts and cancellation that kill the whole process group, concurrency, and log tails.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backends/local/runtime/Process.h"

namespace flyte::rt {
namespace {

namespace fs = std::filesystem;
using Status = ProcessResult::Status;

// A fresh directory per test, removed afterwards.
class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "flyte-process-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = fs::canonical(tmpl);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ProcessSpec spec(const std::string& command, const std::string& name = "p") const {
    ProcessSpec s;
    s.command = command;
    s.workdir = dir_.string();
    s.stdout_path = (dir_ / (name + ".out")).string();
    s.stderr_path = (dir_ / (name + ".err")).string();
    s.timeout_s = 20;  // a hung test fails instead of hanging
    return s;
  }

  ProcessResult run(const ProcessSpec& s, double grace_s = 2.0) {
    std::atomic<bool> cancel{false};
    return run_process(s, cancel, grace_s);
  }

  fs::path dir_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// Running, as opposed to gone or a zombie. A killed background child is reparented to
// init, which may take a moment (or, in some containers, forever) to reap it.
bool running(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

// Waits up to two seconds for `pid` to stop running.
bool gone_soon(pid_t pid) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (running(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

pid_t read_pid(const fs::path& p) { return static_cast<pid_t>(std::stol(read_file(p))); }

TEST(ShellQuote, MatchesPythonShlexQuote) {
  EXPECT_EQ(shell_quote("2"), "2");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
  EXPECT_EQ(shell_quote(";"), "';'");
  EXPECT_EQ(shell_quote("\n"), "'\n'");
  EXPECT_EQ(shell_quote("A-z_0.9/@%+=:,"), "A-z_0.9/@%+=:,");
  EXPECT_EQ(shell_quote("~"), "'~'");
  EXPECT_EQ(shell_quote("*"), "'*'");
  EXPECT_EQ(shell_quote("''"), "''\"'\"''\"'\"''");
}

TEST_F(ProcessTest, QuotedValuesReachTheCommandUnchanged) {
  const std::vector<std::string> nasty = {"plain",
                                          "it's",
                                          "$(touch PWNED)",
                                          "`touch PWNED`",
                                          "; touch PWNED",
                                          "a\nb\n",
                                          "\"'\\",
                                          "$HOME",
                                          "*",
                                          "-n",
                                          "  spaces  ",
                                          "",
                                          "'' \"\" ''",
                                          "%s%d%%",
                                          "&& touch PWNED |",
                                          "'; touch PWNED; echo '",
                                          "\\'",
                                          "\t\x01\x7f\xff",
                                          "!!",
                                          "${IFS}x"};
  for (size_t i = 0; i < nasty.size(); ++i) {
    ProcessSpec s = spec("printf %s " + shell_quote(nasty[i]), "q" + std::to_string(i));
    ProcessResult r = run(s);
    ASSERT_EQ(r.status, Status::Exited) << r.error;
    EXPECT_EQ(r.code, 0) << nasty[i];
    EXPECT_EQ(read_file(s.stdout_path), nasty[i]);
  }
  EXPECT_FALSE(fs::exists(dir_ / "PWNED"));
}

TEST_F(ProcessTest, ReportsExitCodesAndSignals) {
  ProcessResult ok = run(spec("true"));
  EXPECT_EQ(ok.status, Status::Exited);
  EXPECT_EQ(ok.code, 0);
  EXPECT_GE(ok.seconds, 0.0);

  ProcessResult three = run(spec("exit 3"));
  EXPECT_EQ(three.status, Status::Exited);
  EXPECT_EQ(three.code, 3);

  ProcessResult killed = run(spec("kill -9 $$"));
  EXPECT_EQ(killed.status, Status::Signaled);
  EXPECT_EQ(killed.code, SIGKILL);
}

TEST_F(ProcessTest, WritesStdoutAndStderrToTruncatedFiles) {
  ProcessSpec s = spec("echo out; echo err >&2");
  write_file(s.stdout_path, "old contents that must disappear\n");
  ProcessResult r = run(s);
  ASSERT_EQ(r.status, Status::Exited) << r.error;
  EXPECT_EQ(read_file(s.stdout_path), "out\n");
  EXPECT_EQ(read_file(s.stderr_path), "err\n");
}

TEST_F(ProcessTest, OneFileForBothStreamsKeepsEverything) {
  ProcessSpec s = spec("echo a; echo b >&2; echo c");
  s.stderr_path = s.stdout_path;
  ASSERT_EQ(run(s).status, Status::Exited);
  EXPECT_EQ(read_file(s.stdout_path), "a\nb\nc\n");
}

TEST_F(ProcessTest, StdinIsEmpty) {
  ProcessSpec s = spec("cat; echo done");
  s.timeout_s = 5;
  ProcessResult r = run(s);
  ASSERT_EQ(r.status, Status::Exited);
  EXPECT_EQ(read_file(s.stdout_path), "done\n");
}

TEST_F(ProcessTest, AddsAndReplacesEnvironmentVariables) {
  ProcessSpec s = spec(
      "printf '%s|%s|%s|' \"$FLYTE_TEST_A\" \"$HOME\" \"$FLYTE_TEST_B\"; "
      "env | grep -c '^HOME='");
  s.env = {"FLYTE_TEST_A=hello world", "HOME=/replaced", "FLYTE_TEST_B=x=y"};
  ProcessResult r = run(s);
  ASSERT_EQ(r.status, Status::Exited) << r.error;
  EXPECT_EQ(read_file(s.stdout_path), "hello world|/replaced|x=y|1\n");
}

TEST_F(ProcessTest, InheritsTheParentEnvironment) {
  const char* path = getenv("PATH");
  ASSERT_NE(path, nullptr);
  ProcessSpec s = spec("printf %s \"$PATH\"");
  ASSERT_EQ(run(s).status, Status::Exited);
  EXPECT_EQ(read_file(s.stdout_path), path);
}

TEST_F(ProcessTest, RunsInTheWorkingDirectory) {
  fs::create_directory(dir_ / "sub");
  ProcessSpec s = spec("pwd -P; echo hi > here.txt");
  s.workdir = (dir_ / "sub").string();
  ASSERT_EQ(run(s).status, Status::Exited);
  EXPECT_EQ(read_file(s.stdout_path), (dir_ / "sub").string() + "\n");
  EXPECT_EQ(read_file(dir_ / "sub" / "here.txt"), "hi\n");
  EXPECT_NE(fs::current_path(), dir_ / "sub");  // the parent never chdirs
}

TEST_F(ProcessTest, MissingWorkdirIsASpawnFailure) {
  ProcessSpec s = spec("true");
  s.workdir = (dir_ / "nope").string();
  ProcessResult r = run(s);
  EXPECT_EQ(r.status, Status::SpawnFailed);
  EXPECT_NE(r.error.find("nope"), std::string::npos) << r.error;
}

TEST_F(ProcessTest, UnwritableLogIsASpawnFailure) {
  ProcessSpec s = spec("true");
  s.stdout_path = (dir_ / "no" / "such" / "dir.out").string();
  ProcessResult r = run(s);
  EXPECT_EQ(r.status, Status::SpawnFailed);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(ProcessTest, TimeoutKillsTheWholeProcessGroup) {
  ProcessSpec s = spec("sleep 30 & echo $! > bg.pid; echo $$ > sh.pid; sleep 30");
  s.timeout_s = 0.3;
  ProcessResult r = run(s, 1.0);
  EXPECT_EQ(r.status, Status::TimedOut);
  EXPECT_GE(r.seconds, 0.3);
  EXPECT_LT(r.seconds, 2.0);
  pid_t shell = read_pid(dir_ / "sh.pid");
  pid_t background = read_pid(dir_ / "bg.pid");
  EXPECT_TRUE(gone_soon(shell));
  EXPECT_TRUE(gone_soon(background));
}

TEST_F(ProcessTest, TimeoutEscalatesToSigkillAfterTheGracePeriod) {
  // The ignored SIGTERM is inherited by the sleeps too.
  ProcessSpec s = spec("trap '' TERM; sleep 30 & echo $! > bg.pid; sleep 30");
  s.timeout_s = 0.2;
  ProcessResult r = run(s, 0.3);
  EXPECT_EQ(r.status, Status::TimedOut);
  EXPECT_GE(r.seconds, 0.5);
  EXPECT_LT(r.seconds, 2.5);
  EXPECT_TRUE(gone_soon(read_pid(dir_ / "bg.pid")));
}

TEST_F(ProcessTest, NormalExitKillsLeftoverBackgroundProcesses) {
  ProcessSpec s = spec("sleep 30 & echo $! > bg.pid");
  ProcessResult r = run(s);
  EXPECT_EQ(r.status, Status::Exited);
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_TRUE(gone_soon(read_pid(dir_ / "bg.pid")));
}

TEST_F(ProcessTest, CancellationStopsTheCommandQuickly) {
  ProcessSpec s = spec("echo $$ > sh.pid; sleep 30");
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  ProcessResult r = run_process(s, cancel, 2.0);
  canceller.join();
  EXPECT_EQ(r.status, Status::Cancelled);
  EXPECT_GE(r.seconds, 0.2);
  EXPECT_LT(r.seconds, 1.0);  // noticed within 50 ms; sh and sleep obey SIGTERM
  EXPECT_TRUE(gone_soon(read_pid(dir_ / "sh.pid")));
}

TEST_F(ProcessTest, AlreadyCancelledDoesNotRunLong) {
  std::atomic<bool> cancel{true};
  ProcessResult r = run_process(spec("sleep 30"), cancel, 2.0);
  EXPECT_EQ(r.status, Status::Cancelled);
  EXPECT_LT(r.seconds, 1.0);
}

TEST_F(ProcessTest, ManyThreadsSpawnAtOnce) {
  constexpr int kThreads = 8, kRuns = 10;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < kThreads; ++t) {
    fs::create_directory(dir_ / std::to_string(t));
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRuns; ++i) {
        std::string name = std::to_string(t) + "-" + std::to_string(i);
        ProcessSpec s = spec("printf '%s %s' \"$WHO\" \"$(basename \"$PWD\")\"", name);
        s.env = {"WHO=" + name};
        s.workdir = (dir_ / std::to_string(t)).string();
        std::atomic<bool> cancel{false};
        ProcessResult r = run_process(s, cancel);
        if (r.status == Status::Exited && r.code == 0 &&
            read_file(s.stdout_path) == name + " " + std::to_string(t))
          ++good;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(good.load(), kThreads * kRuns);
}

TEST_F(ProcessTest, TrivialCommandsAreNotSlowedByPolling) {
  // 100 trivial commands on two threads; a fixed millisecond sleep between checks for a
  // finished child would show up here. The bound is loose for loaded machines.
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) run(spec("true", "t" + std::to_string(t)));
    });
  }
  for (std::thread& th : threads) th.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);
}

// Waits up to five seconds for the file at `p` to have a line in it.
bool written_soon(const fs::path& p) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (read_file(p).find('\n') == std::string::npos) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The command, its background child and a child that ignores SIGTERM all die with the
// process that ran them when it is killed with SIGKILL (the shell by PR_SET_PDEATHSIG,
// the rest by the guardian), instead of running on.
TEST_F(ProcessTest, CommandsDieWithAKilledParent) {
  ProcessSpec s =
      spec("echo $$ > sh.pid; (trap '' TERM; sleep 30) & echo $! > bg.pid; sleep 30 & wait");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::atomic<bool> cancel{false};
    run_process(s, cancel);
    _exit(0);
  }
  ASSERT_TRUE(written_soon(dir_ / "sh.pid"));
  ASSERT_TRUE(written_soon(dir_ / "bg.pid"));
  pid_t shell = read_pid(dir_ / "sh.pid");
  pid_t background = read_pid(dir_ / "bg.pid");
  ASSERT_TRUE(running(shell));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(gone_soon(shell));
  EXPECT_TRUE(gone_soon(background));
}

// A second Ctrl-C cannot wait for the grace period: every running command's group is
// killed at once, a command that ignores SIGTERM included.
TEST_F(ProcessTest, KillRunningProcessesKillsEveryGroupAtOnce) {
  ProcessSpec s = spec("trap '' TERM; sleep 30 & echo $! > bg.pid; wait");
  ProcessResult r;
  std::thread runner([&] { r = run(s); });
  ASSERT_TRUE(written_soon(dir_ / "bg.pid"));
  auto start = std::chrono::steady_clock::now();
  kill_running_processes();
  runner.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
  EXPECT_EQ(r.status, Status::Signaled);
  EXPECT_EQ(r.code, SIGKILL);
  EXPECT_TRUE(gone_soon(read_pid(dir_ / "bg.pid")));
}

// What a killed run left running is found by its environment and killed; nothing else.
TEST_F(ProcessTest, KillLeftoverProcessesMatchesEnvironmentEntries) {
  std::string run = "FLYTE_CHECKPOINT_DIR=" + dir_.string() + "/run";
  auto start = [&](const std::string& entry, const std::string& name) {
    pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      std::string cmd = "sleep 30 & echo $! > " + name + "; wait";
      char* argv[] = {const_cast<char*>("/bin/sh"), const_cast<char*>("-c"), cmd.data(), nullptr};
      char* envp[] = {const_cast<char*>(entry.c_str()), const_cast<char*>("PATH=/usr/bin:/bin"),
                      nullptr};
      if (chdir(dir_.c_str()) == 0) execve("/bin/sh", argv, envp);
      _exit(127);
    }
    return pid;
  };
  pid_t ours = start(run + "/nodes/n0/attempt-1/checkpoint", "ours.pid");
  pid_t other = start(run + "2/nodes/n0/attempt-1/checkpoint", "other.pid");
  ASSERT_TRUE(written_soon(dir_ / "ours.pid"));
  ASSERT_TRUE(written_soon(dir_ / "other.pid"));
  EXPECT_EQ(kill_leftover_processes(run + "/"), 2);  // the shell and its sleep
  EXPECT_TRUE(gone_soon(read_pid(dir_ / "ours.pid")));
  int st = 0;
  waitpid(ours, &st, 0);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_TRUE(running(read_pid(dir_ / "other.pid")));
  kill(-other, SIGKILL);
  waitpid(other, nullptr, 0);
}

TEST_F(ProcessTest, TailLinesReturnsTheLastLines) {
  fs::path p = dir_ / "log";
  write_file(p, "1\n2\n3\n");
  EXPECT_EQ(tail_lines(p.string(), 2), "2\n3\n");
  EXPECT_EQ(tail_lines(p.string(), 1), "3\n");
  EXPECT_EQ(tail_lines(p.string(), 3), "1\n2\n3\n");
  EXPECT_EQ(tail_lines(p.string(), 10), "1\n2\n3\n");
  EXPECT_EQ(tail_lines(p.string(), 0), "");
  write_file(p, "a\nb");
  EXPECT_EQ(tail_lines(p.string(), 1), "b");
  EXPECT_EQ(tail_lines(p.string(), 2), "a\nb");
  write_file(p, "");
  EXPECT_EQ(tail_lines(p.string(), 5), "");
  EXPECT_EQ(tail_lines((dir_ / "missing").string(), 5), "");
  EXPECT_EQ(tail_lines(dir_.string(), 5), "");
}

TEST_F(ProcessTest, TailLinesReadsAtMost64KiBAndNoPartialLine) {
  fs::path p = dir_ / "big";
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "line " + std::to_string(i) + "\n";
  write_file(p, text);
  EXPECT_EQ(tail_lines(p.string(), 2), "line 99998\nline 99999\n");
  std::string all = tail_lines(p.string(), 1000000);
  EXPECT_LE(all.size(), 64u * 1024);
  EXPECT_GT(all.size(), 60u * 1024);
  EXPECT_EQ(all.rfind("line ", 0), 0u) << all.substr(0, 20);
  EXPECT_EQ(text.substr(text.size() - all.size()), all);
  EXPECT_EQ(text[text.size() - all.size() - 1], '\n');  // starts at a line boundary
}

}  // namespace
}  // namespace flyte::rt
