// Checks a container image reference as registries and Kubernetes read it
// (`[registry[:port]/]path[:tag][@digest]`): lowercase path components separated by
// `/`, an optional registry host (with a port), a tag of at most 128 characters of
// [A-Za-z0-9_.-], a digest `algorithm:hex`.
#pragma once

#include <string>
#include <string_view>

namespace flyte {

/// Why `ref` is no image reference (empty: it is one).
std::string image_ref_problem(std::string_view ref);

}  // namespace flyte
