// The mapping from a pod's resources to Argo template fields: `resources` (requests and
// limits, `nvidia.com/gpu`), a node selector for the GPU model, tolerations for GPU and
// spot pools, `retryStrategy` (backoff; interruptible pods also retry on preemption,
// from a budget of their own) and `activeDeadlineSeconds`.
#pragma once

#include <string>

#include "backends/k8s/Jobs.h"
#include "backends/k8s/Yaml.h"

namespace flyte::k8s {

/// Cluster settings given to `flytec build --target k8s`.
struct ClusterOptions {
  std::string gpu_label = "nvidia.com/gpu.product";  // --gpu-label: the GPU model's node label
  std::string spot_taint = "flytec.io/spot";         // --spot-taint: the spot pools' taint key
};

/// Preemptions of an interruptible pod retried on top of its `@retries`.
inline constexpr int64_t kPreemptionRetries = 5;

/// What Argo's `lastRetry.message` says when a pod was preempted, not failed.
inline constexpr const char* kPreemptionMessages = "imminent node shutdown|pod deleted";

/// A CPU quantity: `2`, `500m`.
std::string cpu_quantity(double cpu);
/// A memory quantity in MiB, rounded up: `300Mi`.
std::string mem_quantity(int64_t bytes);

/// The container's `resources` (empty when it asks nothing).
Yaml container_resources(const PodResources& r);

/// Adds nodeSelector, tolerations, retryStrategy and activeDeadlineSeconds for `r` to the
/// template `t`.
void add_scheduling(const PodResources& r, const ClusterOptions& c, Yaml& t);

/// The env entries delivering `r`'s secrets through `secretKeyRef`: `@secret("name")` is
/// key `name` of the Secret of that name (a DNS-1123 subdomain as it is, sanitized
/// otherwise: `API_Token` is Secret `api-token`).
Yaml secret_env_entries(const PodResources& r);

/// Why `r`'s secrets cannot be delivered (empty: they can): a name that is no Secret key
/// (`[-._a-zA-Z0-9]`, at most 253), or two names that give one variable
/// (`db_pass` and `db.pass` are both FLYTE_SECRET_DB_PASS).
std::string check_secrets(const PodResources& r);

}  // namespace flyte::k8s
