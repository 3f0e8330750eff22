// validate-dag: every workflow's nodes form a DAG (data edges and `@after` edges),
// no workflow calls itself through sub-workflows, and every node contributes to a
// result or has an effect of its own.
#pragma once

#include <memory>

#include "passes/Pass.h"

namespace flyte::passes {

std::unique_ptr<Pass> create_validate_dag();

}  // namespace flyte::passes
