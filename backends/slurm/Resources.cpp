// Turns resolved node attributes into sbatch options (see Resources.h).
#include "backends/slurm/Resources.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace flyte::slurm {

int64_t megabytes(int64_t bytes) {
  constexpr int64_t kMiB = int64_t{1024} * 1024;
  return std::max<int64_t>(1, (bytes + kMiB - 1) / kMiB);
}

std::optional<int64_t> time_limit_seconds(const JobResources& r, int64_t items) {
  if (!r.timeout_s || r.retries < 0) return std::nullopt;
  double per_item = *r.timeout_s * (static_cast<double>(r.retries) + 1.0) + 60.0;
  double total = std::ceil(per_item * static_cast<double>(items));
  // NaN fails the comparison too.
  if (!(total >= 0 && total <= static_cast<double>(kMaxTimeSeconds))) return std::nullopt;
  return static_cast<int64_t>(total);
}

bool check_time_limits(const JobGraph& g, std::string& error) {
  for (const Job& j : g.jobs) {
    const JobResources& r = j.resources;
    if (r.retries < 0) {
      error =
          fmt::format("task '{}' (node {}): @retries({}) is negative", j.label, j.key, r.retries);
      return false;
    }
    if (r.timeout_s && !time_limit_seconds(r)) {
      double t = *r.timeout_s;
      error = fmt::format(
          "task '{}' (node {}): @timeout of {} s for each of @retries({}) + 1 attempts, plus "
          "60 s, is above the longest Slurm time limit, {} minutes (about 4085 years)",
          j.label, j.key,
          t == std::floor(t) && std::fabs(t) < 1e15 ? fmt::format("{:.0f}", t)
                                                    : fmt::format("{:g}", t),
          r.retries, kMaxTimeSeconds / 60);
      return false;
    }
  }
  return true;
}

std::string time_limit(const JobResources& r, int64_t items) {
  if (!r.timeout_s) return "";
  // check_time_limits refused what does not fit before.
  int64_t total = time_limit_seconds(r, items).value_or(kMaxTimeSeconds);
  int64_t days = total / 86400;
  int64_t rest = total % 86400;
  return fmt::format("{}-{:02}:{:02}:{:02}", days, rest / 3600, rest % 3600 / 60, rest % 60);
}

std::vector<SbatchOption> resource_options(const JobResources& r, const ClusterOptions& c,
                                           int64_t items) {
  std::vector<SbatchOption> out;
  out.push_back({fmt::format("--cpus-per-task={}", r.cpus), "CPUs of the task's request"});
  if (r.mem_bytes > 0) {
    if (c.mem_per_cpu) {
      int64_t per = (megabytes(r.mem_bytes) + r.cpus - 1) / r.cpus;
      out.push_back({fmt::format("--mem-per-cpu={}M", per), "the task's memory over its CPUs"});
    } else {
      out.push_back({fmt::format("--mem={}M", megabytes(r.mem_bytes)), "the task's memory"});
    }
  }
  if (r.gpus > 0) {
    std::string model = r.gpu_model.empty() ? "" : sanitize_name(r.gpu_model) + ":";
    out.push_back({fmt::format("--gres=gpu:{}{}", model, r.gpus),
                   r.gpu_model.empty() ? "GPUs of any model" : "GPUs of the model asked for"});
  }
  if (std::string t = time_limit(r, items); !t.empty()) {
    out.push_back({"--time=" + t, items > 1 ? "timeout x attempts + 1 min, per item"
                                            : "timeout x attempts + 1 min"});
  }
  if (r.requeue()) {
    out.push_back({"--requeue", r.interruptible ? "interruptible: may be preempted and requeued"
                                                : "checkpointed: resumes when requeued"});
    out.push_back({fmt::format("--signal=B:USR1@{}", kSignalLeadSeconds),
                   "time to save a checkpoint before the limit"});
    out.push_back({"--open-mode=append", "a requeued job's log goes on after the first run's"});
  } else {
    out.push_back({"--no-requeue", "a failed task is retried inside the job, not requeued"});
  }
  if (!c.partition.empty()) {
    out.push_back({"--partition=" + c.partition, "flytec build --partition"});
  }
  if (!c.account.empty()) {
    out.push_back({"--account=" + c.account, "flytec build --account"});
  }
  return out;
}

}  // namespace flyte::slurm
