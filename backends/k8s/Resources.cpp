// Turns a pod's resources into template fields (see Resources.h).
#include "backends/k8s/Resources.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <map>

#include "backends/k8s/Limits.h"
#include "backends/k8s/Names.h"

namespace flyte::k8s {

std::string cpu_quantity(double cpu) {
  auto milli = static_cast<int64_t>(std::ceil(cpu * 1000.0 - 1e-9));
  if (milli < 1) milli = 1;
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return fmt::format("{}m", milli);
}

std::string mem_quantity(int64_t bytes) {
  constexpr int64_t kMiB = int64_t{1024} * 1024;
  int64_t mib = (bytes + kMiB - 1) / kMiB;
  return fmt::format("{}Mi", mib < 1 ? 1 : mib);
}

Yaml container_resources(const PodResources& r) {
  Yaml res = Yaml::map();
  Yaml& requests = res["requests"];
  requests["cpu"] = cpu_quantity(r.cpu);
  if (r.mem_bytes > 0) requests["memory"] = mem_quantity(r.mem_bytes);
  if (r.disk_bytes > 0) requests["ephemeral-storage"] = mem_quantity(r.disk_bytes);
  if (r.gpus > 0) requests["nvidia.com/gpu"] = std::to_string(r.gpus);
  if (r.mem_bytes > 0 || r.gpus > 0) {
    Yaml& limits = res["limits"];
    // Memory beyond the request is what gets a pod killed; GPUs are limits only.
    if (r.mem_bytes > 0) limits["memory"] = mem_quantity(r.mem_bytes);
    if (r.gpus > 0) limits["nvidia.com/gpu"] = std::to_string(r.gpus);
  }
  return res;
}

void add_scheduling(const PodResources& r, const ClusterOptions& c, Yaml& t) {
  if (r.gpus > 0 && !r.gpu_model.empty()) {
    t["nodeSelector"][c.gpu_label] = label_value(r.gpu_model);
  }
  if (r.gpus > 0 || r.interruptible) {
    Yaml& tol = t["tolerations"];
    if (r.gpus > 0) {
      Yaml g = Yaml::map();
      g["key"] = "nvidia.com/gpu";
      g["operator"] = "Exists";
      g["effect"] = "NoSchedule";
      tol.push(std::move(g));
    }
    if (r.interruptible) {
      Yaml s = Yaml::map();
      s["key"] = c.spot_taint;
      s["operator"] = "Exists";
      s["effect"] = "NoSchedule";
      tol.push(std::move(s));
    }
  }
  if (r.retries > 0 || r.interruptible) {
    Yaml& rs = t["retryStrategy"];
    if (r.interruptible) {
      // Preemptions come from their own budget: a retry is allowed while user failures
      // are within @retries, or whenever the last attempt was preempted.
      rs["limit"] = std::to_string(retry_limit(r).value_or(kMaxArgoInt));
      rs["retryPolicy"] = "Always";
      rs["expression"] = fmt::format("lastRetry.message matches '{}' || asInt(retries) < {}",
                                     kPreemptionMessages, r.retries);
    } else {
      // A failed attempt is retried in the pod by the node mode (@retries); Argo retries
      // what kills the pod itself (eviction, node loss).
      rs["limit"] = std::to_string(retry_limit(r).value_or(kMaxArgoInt));
      rs["retryPolicy"] = "OnError";
    }
    Yaml& b = rs["backoff"];
    b["duration"] = "10s";
    b["factor"] = "2";
    b["maxDuration"] = "10m";
  }
  if (r.timeout_s) {
    // Every attempt's timeout (the node mode enforces each), plus a minute to start;
    // check_argo_limits refused what does not fit before.
    t["activeDeadlineSeconds"] = deadline_seconds(r).value_or(kMaxArgoInt);
  }
}

Yaml secret_env_entries(const PodResources& r) {
  Yaml env = Yaml::seq();
  for (const std::string& s : r.secrets) {
    Yaml e = Yaml::map();
    e["name"] = secret_env(s);
    Yaml& ref = e["valueFrom"]["secretKeyRef"];
    ref["name"] = dns_subdomain(s) ? s : dns_name(s, 253);
    ref["key"] = s;
    env.push(std::move(e));
  }
  return env;
}

std::string check_secrets(const PodResources& r) {
  std::map<std::string, std::string> by_env;
  for (const std::string& s : r.secrets) {
    bool key_ok = !s.empty() && s.size() <= 253;
    for (char c : s) {
      key_ok = key_ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ||
                          c == '.' || c == '_');
    }
    if (!key_ok)
      return fmt::format(
          "@secret(\"{}\") is no Kubernetes Secret key (letters, digits, '-', "
          "'.' and '_', at most 253)",
          s);
    auto [it, fresh] = by_env.emplace(secret_env(s), s);
    if (!fresh)
      return fmt::format("@secret(\"{}\") and @secret(\"{}\") are both delivered as {} in one pod",
                         it->second, s, it->first);
  }
  return {};
}

}  // namespace flyte::k8s
