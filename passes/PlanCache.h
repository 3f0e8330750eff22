// plan-cache: gives every task a fingerprint, the XXH3-128 of everything that makes it
// what it is (interface, runner text and, for cpp(...) runners, the C++ source's
// contents, image, environment, secrets' names, cache version), and counts the tasks the
// runtime may memoize. The runtime keys `@cache` entries by fingerprint and input hashes,
// and refuses to resume a run whose tasks' fingerprints have changed.
#pragma once

#include <memory>

#include "passes/Pass.h"

namespace flyte::passes {

std::unique_ptr<Pass> create_plan_cache();

}  // namespace flyte::passes
