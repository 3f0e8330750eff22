// Drawing a workflow of the IR with Graphviz (cgraph and gvc, in process).
#pragma once

#include <string>

#include "ir/Ir.h"

namespace flyte::graph {

/// How deep sub-workflows are drawn inside their callers; deeper calls are one node.
inline constexpr int kMaxDrawnDepth = 4;

/// Renders workflow `w` of `m` as `format` ("dot", "svg" or "png") into `out` (bytes).
/// Nodes are labelled with the task and its key annotations (cache, retries, GPU);
/// edges with the value passed; branch and map bodies are clusters; doc comments are
/// tooltips. Returns false with `error` set when Graphviz fails.
bool render_workflow(const ir::Module& m, const ir::Workflow& w, const std::string& format,
                     std::string& out, std::string& error);

}  // namespace flyte::graph
