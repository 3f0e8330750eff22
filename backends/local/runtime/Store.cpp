// The run directory as a store.
#include "backends/local/runtime/Store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "backends/local/runtime/Effects.h"
#include "backends/local/runtime/Journal.h"

namespace flyte::rt {

std::string RunDirStore::node_dir(const std::string& key) const {
  return run_path_ + "/nodes/" + key;
}

std::string RunDirStore::attempt_dir(const std::string& key, int attempt) const {
  return fmt::format("{}/attempt-{}", node_dir(key), attempt);
}

std::string RunDirStore::checkpoint_dir(const std::string& key, int attempt) const {
  return attempt_dir(key, attempt) + "/checkpoint";
}

int RunDirStore::last_attempt(const std::string& key) {
  int last = 0;
  for (const std::string& name : fs_.list(node_dir(key))) {
    if (name.rfind("attempt-", 0) == 0) last = std::max(last, std::atoi(name.c_str() + 8));
  }
  return last;
}

// The record is written before the node counts as finished, so a killed process loses
// nothing; it reaches the disk with the next group sync (Main syncs the journal every
// 100 ms and at the end), so a power loss can cost at most the tasks of the last
// moments, which rerun.
bool RunDirStore::keep(const std::string& key, const Value& outputs, const Value& record,
                       std::string& error) {
  std::string dir = node_dir(key);
  std::string ignored;
  fs_.make_dirs(dir, ignored);  // a failure shows in the write below
  if (!fs_.write_file(dir + "/outputs.json", canonical(outputs) + "\n", error)) return false;
  if (journal_ == nullptr) return true;
  // Test hooks: a crash just before, or just after, this node counts as finished (its
  // dependents are released only after this returns).
  journal_->crash_point("FLYTE_TEST_CRASH_BEFORE_DONE", key);
  if (!journal_->append(record, /*durable=*/false, &error)) return false;
  journal_->crash_point("FLYTE_TEST_CRASH_AFTER_DONE", key);
  return true;
}

}  // namespace flyte::rt
