// Reads and checks the k8s target's options (see Options.h).
#include "backends/k8s/Options.h"

#include <fmt/format.h>

#include <cctype>

#include "backends/k8s/Dockerfile.h"
#include "backends/k8s/Names.h"
#include "support/ImageRef.h"

namespace flyte::k8s {
namespace {

// A label key: an optional DNS-1123 subdomain and '/', then a name of [A-Za-z0-9._-].
bool label_key(const std::string& s) {
  size_t slash = s.find('/');
  std::string name = slash == std::string::npos ? s : s.substr(slash + 1);
  if (slash != std::string::npos && !dns_subdomain(s.substr(0, slash))) return false;
  return !name.empty() && name.size() <= 63 && label_value(name) == name;
}

}  // namespace

bool parse_options(const std::map<std::string, std::string>& target_options,
                   const std::string& workflow, K8sOptions& out, std::string& error) {
  auto option = [&](const char* name, const char* fallback) {
    auto it = target_options.find(name);
    return it == target_options.end() ? std::string(fallback) : it->second;
  };
  out.base_image = option("image", kDefaultBaseImage);
  out.image_name = option("image-name", "");
  if (out.image_name.empty()) out.image_name = "flytec-" + dns_name(workflow, 52) + ":latest";
  for (const auto& [flag, value] :
       {std::pair{"--image", out.base_image}, std::pair{"--image-name", out.image_name}}) {
    if (std::string why = image_ref_problem(value); !why.empty()) {
      error = fmt::format("{} '{}' is no image reference: {}", flag, value, why);
      return false;
    }
  }
  if (!parse_storage(option("storage", "pvc"), out.storage, error)) return false;
  out.cluster.gpu_label = option("gpu-label", "nvidia.com/gpu.product");
  out.cluster.spot_taint = option("spot-taint", "flytec.io/spot");
  for (const auto& [flag, value] : {std::pair{"--gpu-label", out.cluster.gpu_label},
                                    std::pair{"--spot-taint", out.cluster.spot_taint}}) {
    if (!label_key(value)) {
      error = fmt::format(
          "{} '{}' is no label key (a DNS prefix and '/', then a name: nvidia.com/gpu.product)",
          flag, value);
      return false;
    }
  }
  std::string budget = option("manifest-budget", "");
  if (!budget.empty()) {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(budget, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != budget.size() || v < 1024) {
      error = fmt::format("--manifest-budget '{}' is no number of bytes (at least 1024)", budget);
      return false;
    }
    if (v > kMaxManifestBudget) {
      error = fmt::format("--manifest-budget '{}' is above the largest budget, {} bytes (1 GiB)",
                          budget, kMaxManifestBudget);
      return false;
    }
    out.budget = v;
  }
  return true;
}

std::string size_verdict(const std::string& file, int64_t bytes, int64_t budget) {
  if (bytes > budget) {
    return fmt::format(
        "error: {} is {} bytes, above the budget of {} bytes (--manifest-budget); Kubernetes "
        "refuses objects above about 1 MB",
        file, bytes, budget);
  }
  if (static_cast<double>(bytes) * 5 >= static_cast<double>(budget) * 4) {
    return fmt::format(
        "warning: {} is {} bytes, {}% of the budget of {} bytes "
        "(--manifest-budget); Kubernetes refuses objects above about 1 MB",
        file, bytes, bytes * 100 / budget, budget);
  }
  return "";
}

}  // namespace flyte::k8s
