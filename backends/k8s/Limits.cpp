// Argo's 32-bit retry limit and deadline (see Limits.h).
#include "backends/k8s/Limits.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "backends/k8s/Resources.h"

namespace flyte::k8s {
namespace {

// The deadline before it is checked against the int32 range.
double raw_deadline(const PodResources& r) {
  return *r.timeout_s * (static_cast<double>(r.retries) + 1.0) + 60.0;
}

// Seconds as written: whole numbers in full, others as %g.
std::string seconds(double s) {
  if (s == std::floor(s) && std::fabs(s) < 1e15) return fmt::format("{:.0f}", s);
  return fmt::format("{:g}", s);
}

bool check_dag(const ir::Module& m, uint32_t wi, bool nest, std::set<uint32_t>& seen,
               std::string& error) {
  if (!seen.insert(wi).second) return true;
  Dag g = build_dag(m, wi, nest);
  for (const Job& job : g.jobs) {
    const PodResources& r = job.resources;
    std::string who = fmt::format("{} '{}' (node {} of workflow '{}')",
                                  job.kind == Job::Kind::Task ? "task" : "node", job.label,
                                  job.node, m.workflows[wi].name);
    if (r.retries < 0 || !retry_limit(r)) {
      error = fmt::format("{}: @retries({}) does not fit Argo's retryStrategy.limit (at most {}{})",
                          who, r.retries,
                          r.interruptible ? kMaxArgoInt - kPreemptionRetries : kMaxArgoInt,
                          r.interruptible ? " with @interruptible" : "");
      return false;
    }
    if (r.timeout_s && !deadline_seconds(r)) {
      error = fmt::format(
          "{}: @timeout of {} s for each of @retries({}) + 1 attempts, plus 60 s, is {} s, "
          "above Argo's activeDeadlineSeconds limit of {} s (about 68 years)",
          who, seconds(*r.timeout_s), r.retries, seconds(std::ceil(raw_deadline(r))), kMaxArgoInt);
      return false;
    }
    if (job.callee && *job.callee < m.workflows.size() &&
        !check_dag(m, *job.callee, nest, seen, error)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<int64_t> retry_limit(const PodResources& r) {
  int64_t extra = r.interruptible ? kPreemptionRetries : 0;
  if (r.retries < 0 || r.retries > kMaxArgoInt - extra) return std::nullopt;
  return r.retries + extra;
}

std::optional<int64_t> deadline_seconds(const PodResources& r) {
  if (!r.timeout_s) return std::nullopt;
  double total = std::ceil(raw_deadline(r));
  // NaN fails the comparison too.
  if (!(total >= 0 && total <= static_cast<double>(kMaxArgoInt))) return std::nullopt;
  return static_cast<int64_t>(total);
}

bool check_argo_limits(const ir::Module& m, uint32_t wi, bool nest, std::string& error) {
  std::set<uint32_t> seen;
  return check_dag(m, wi, nest, seen, error);
}

}  // namespace flyte::k8s
