// The shell runner on a fake process spawner: what it asks to run, and how it reads back
// what the command wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "backends/local/runtime/Effects.h"
#include "backends/local/runtime/ShellTask.h"

namespace flyte::rt {
namespace {
namespace fs = std::filesystem;

/// Records the process it is asked to run, writes `output` where the task's output `o`
/// goes, and returns `result`.
class FakeSpawner final : public ProcessSpawner {
 public:
  ProcessResult run(const ProcessSpec& spec, const std::atomic<bool>&) override {
    seen = spec;
    if (!output.empty()) std::ofstream(fs::path(spec.workdir).parent_path() / "out.o") << output;
    return result;
  }
  ProcessSpec seen;
  std::string output;
  ProcessResult result{ProcessResult::Status::Exited, 0, "", 0};
};

class ShellRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flytec-shell-runner-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "node");
    task_.name = "t";
    task_.runner.body = ir::Runner::Shell{"echo {i} > {o}"};
    task_.inputs.push_back({"i", m_.types.int_(), std::nullopt});
    task_.outputs.push_back({"o", m_.types.int_()});
    spec_.module = &m_;
    spec_.task = &task_;
    spec_.args = {{"i", 7}};
    spec_.run_id = "r1";
    spec_.node_key = "n0";
    spec_.attempt = 2;
    spec_.node_dir = (dir_ / "node").string();
    spec_.attempt_dir = spec_.node_dir + "/attempt-2";
    spec_.checkpoint_dir = spec_.attempt_dir + "/checkpoint";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ir::Module m_;
  ir::Task task_;
  AttemptSpec spec_;
  std::atomic<bool> cancel_{false};
};

TEST_F(ShellRunnerTest, RunsTheRenderedCommandInItsAttemptAndReadsTheOutput) {
  FakeSpawner spawner;
  spawner.output = " 42\n";
  AttemptResult r = ShellRunner(spawner).run(spec_, cancel_);
  ASSERT_EQ(r.status, AttemptResult::Status::Ok) << r.error;
  EXPECT_EQ(r.outputs, Value({{"o", 42}}));
  EXPECT_EQ(spawner.seen.command, "echo 7 > " + spec_.attempt_dir + "/out.o");
  EXPECT_EQ(spawner.seen.workdir, spec_.attempt_dir + "/work");
  EXPECT_EQ(spawner.seen.stderr_path, spec_.attempt_dir + "/stderr.log");
  const std::vector<std::string>& env = spawner.seen.env;
  for (const char* want : {"FLYTE_RUN_ID=r1", "FLYTE_NODE=n0", "FLYTE_ATTEMPT=2"})
    EXPECT_NE(std::find(env.begin(), env.end(), want), env.end()) << want;
  EXPECT_TRUE(fs::is_directory(spec_.checkpoint_dir));
}

TEST_F(ShellRunnerTest, AFailedCommandOrAMissingOutputFailsTheAttempt) {
  FakeSpawner spawner;
  spawner.result.code = 3;
  AttemptResult r = ShellRunner(spawner).run(spec_, cancel_);
  EXPECT_EQ(r.status, AttemptResult::Status::Failed);
  EXPECT_EQ(r.error, "the command exited with status 3");
  spawner.result.code = 0;
  r = ShellRunner(spawner).run(spec_, cancel_);
  EXPECT_EQ(r.status, AttemptResult::Status::Failed);
  EXPECT_EQ(r.error, "the command did not write output 'o' (" + spec_.attempt_dir + "/out.o)");
}

TEST_F(ShellRunnerTest, ACancelledProcessIsACancelledAttempt) {
  FakeSpawner spawner;
  spawner.result.status = ProcessResult::Status::Cancelled;
  EXPECT_EQ(ShellRunner(spawner).run(spec_, cancel_).status, AttemptResult::Status::Cancelled);
}

}  // namespace
}  // namespace flyte::rt
