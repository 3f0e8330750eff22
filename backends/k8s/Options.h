// `flytec build --target k8s` settings from the request's target options, checked:
// `--image`, `--image-name`, `--storage`, `--gpu-label`, `--spot-taint`,
// `--manifest-budget`. A bad value is an error that names the flag (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "backends/k8s/Resources.h"
#include "backends/k8s/Storage.h"

namespace flyte::k8s {

/// Kubernetes refuses objects above ~1.5 MB and Argo advises staying under 1 MB.
inline constexpr int64_t kDefaultManifestBudget = 1000000;
/// The largest `--manifest-budget`: 1 GiB, far above any object Kubernetes takes.
inline constexpr int64_t kMaxManifestBudget = int64_t{1} << 30;

struct K8sOptions {
  std::string base_image;  // the Dockerfile's base image
  std::string image_name;  // what the pods run: the image built from the Dockerfile
  Storage storage;
  ClusterOptions cluster;
  int64_t budget = kDefaultManifestBudget;  // the largest manifest, in bytes
};

/// The options of `target_options` for workflow `workflow`. False with `error`.
bool parse_options(const std::map<std::string, std::string>& target_options,
                   const std::string& workflow, K8sOptions& out, std::string& error);

/// A manifest of `bytes` against `budget`: "" when well within it, a warning from 80%
/// of it, an error (starting with "error:") above it.
std::string size_verdict(const std::string& file, int64_t bytes, int64_t budget);

}  // namespace flyte::k8s
