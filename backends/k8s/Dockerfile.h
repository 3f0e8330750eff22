// The image that runs the executable's node mode: a Dockerfile over a base image
// (`--image`, default debian:bookworm-slim) that copies bin/wf and the shared libraries
// it was linked with (bundled into lib/ with their dynamic loader, so the executable
// runs on any base image, and, copied into a pod, in a shell task's own image).
#pragma once

#include <string>

namespace flyte::k8s {

inline constexpr const char* kDefaultBaseImage = "debian:bookworm-slim";

/// The Dockerfile's text.
std::string dockerfile(const std::string& base_image, const std::string& workflow);

/// image/wf: what the image runs as /opt/flytec/bin/wf: the executable through the
/// bundled loader and libraries.
std::string launcher_script();

/// Copies the shared libraries `exe` needs (as `ldd` resolves them here) and the dynamic
/// loader into `lib_dir`. False with `error` when ldd cannot say.
bool bundle_libraries(const std::string& exe, const std::string& lib_dir, std::string& error);

}  // namespace flyte::k8s
