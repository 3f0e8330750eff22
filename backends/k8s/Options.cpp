// Reads and checks the k8s target's options (see Options.h).
#include "backends/k8s/Options.h"

#include <fmt/format.h>

#include <cctype>

#include "backends/k8s/Dockerfile.h"
#include "backends/k8s/Names.h"

namespace flyte::k8s {
namespace {

// A label key: an optional DNS prefix and '/', then a name of [A-Za-z0-9._-].
bool label_key(const std::string& s) {
  if (s.empty() || s.size() > 316) return false;
  size_t slash = s.find('/');
  std::string name = slash == std::string::npos ? s : s.substr(slash + 1);
  if (slash != std::string::npos) {
    std::string prefix = s.substr(0, slash);
    for (char c : prefix) {
      if (!(std::islower(static_cast<unsigned char>(c)) != 0 ||
            std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.')) {
        return false;
      }
    }
    if (prefix.empty()) return false;
  }
  return !name.empty() && name.size() <= 63 && label_value(name) == name;
}

// An image reference: no spaces, no control characters, not empty.
bool image_ref(const std::string& s) {
  if (s.empty() || s.size() > 512) return false;
  for (char c : s) {
    if (std::isgraph(static_cast<unsigned char>(c)) == 0) return false;
  }
  return s.front() != '-';
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
    if (!image_ref(value)) {
      error = fmt::format("{} '{}' is no image reference (no spaces, not empty)", flag, value);
      return false;
    }
  }
  if (!parse_storage(option("storage", "pvc"), out.storage, error)) return false;
  out.cluster.gpu_label = option("gpu-label", "nvidia.com/gpu.product");
  out.cluster.spot_taint = option("spot-taint", "flytec.io/spot");
  for (const auto& [flag, value] : {std::pair{"--gpu-label", out.cluster.gpu_label},
                                    std::pair{"--spot-taint", out.cluster.spot_taint}}) {
    if (!label_key(value)) {
      error = fmt::format("{} '{}' is no label key (such as nvidia.com/gpu.product)", flag, value);
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
