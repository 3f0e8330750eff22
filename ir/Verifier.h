// Structural checks of the IR: every id in range, every reference to a node made after
// that node exists, every output bound. Broken invariants are compiler bugs.
#pragma once

#include <string>
#include <vector>

#include "ir/Ir.h"

namespace flyte::ir {

/// The problems found in `m`, one line each; empty when the module is well formed.
std::vector<std::string> verify_module(const Module& m);

}  // namespace flyte::ir
