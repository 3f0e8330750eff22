// The IR's stable, readable text form (`flytec emit --format text`).
#pragma once

#include <ostream>

#include "ir/Ir.h"

namespace flyte::ir {

/// Prints `m`: tasks with their policies, workflows as numbered nodes (`%3 = task …`),
/// branches and maps with indented bodies, launches.
void print_module(const Module& m, std::ostream& out);

}  // namespace flyte::ir
