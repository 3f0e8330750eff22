// resolve-attributes: gives every task node the attributes backends read (resources,
// retries, timeout, interruptible, device placement, checkpoint policy), each from the
// call site's annotation, else the task's, else the workflow's `@interruptible` (for
// `interruptible`), else the default. The one place that decides this precedence: the
// local runtime and the other backends read Node::attributes() and merge nothing.
#pragma once

#include <memory>

#include "passes/Pass.h"

namespace flyte::passes {

/// The attributes of task node `n` of workflow `w`, calling task `t`.
ir::Attributes resolve_attributes(const ir::Task& t, const ir::Workflow& w, const ir::Node& n);

std::unique_ptr<Pass> create_resolve_attributes();

}  // namespace flyte::passes
