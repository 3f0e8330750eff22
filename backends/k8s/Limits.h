// Argo's numeric fields that a task's policy fills are 32-bit: `retryStrategy.limit`
// (@retries, plus the preemption budget of an interruptible pod) and
// `activeDeadlineSeconds` (every attempt's @timeout plus a minute). Values that do not fit
// are refused before anything is written, naming the task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "backends/k8s/Jobs.h"
#include "ir/Ir.h"

namespace flyte::k8s {

/// The largest value of Argo's int32 fields.
inline constexpr int64_t kMaxArgoInt = INT32_MAX;

/// A pod's `retryStrategy.limit` (@retries, plus kPreemptionRetries when interruptible),
/// or none when it does not fit an int32.
std::optional<int64_t> retry_limit(const PodResources& r);

/// A pod's `activeDeadlineSeconds` (every attempt's timeout plus a minute, rounded up), or
/// none when it has no timeout or the value does not fit an int32.
std::optional<int64_t> deadline_seconds(const PodResources& r);

/// Checks every pod of workflow `wi` (and of the sub-workflows it nests) as build_dag(m,
/// wi, nest) lays them out. False with `error` naming the task and the value that does not
/// fit.
bool check_argo_limits(const ir::Module& m, uint32_t wi, bool nest, std::string& error);

}  // namespace flyte::k8s
