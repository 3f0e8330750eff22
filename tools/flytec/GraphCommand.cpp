// `flytec graph FILE`: draws a workflow with Graphviz, as DOT, SVG or PNG.
#include <iostream>

#include "driver/Compile.h"
#include "graph/Graph.h"
#include "passes/PlaceDevices.h"
#include "passes/ResolveAttributes.h"
#include "support/AtomicFile.h"
#include "tools/flytec/Commands.h"

namespace flyte::driver {
namespace {

struct GraphOptions {
  std::string file;
  std::string workflow;
  std::string format = "dot";
  std::string output = "-";
  std::vector<std::string> include_dirs;
  size_t error_limit = kDefaultErrorLimit;
};

// Graphviz's layout time grows faster than the graph: 10,000 nodes take seconds,
// 50,000 minutes. No drawing that large can be read, so larger ones are refused.
constexpr uint64_t kMaxDrawnNodes = 5000;

// How many nodes a drawing of `w` holds: its own, and those of the sub-workflows it
// draws inside it (as deep as the drawing goes). Stops counting past the limit.
uint64_t drawn_nodes(const ir::Module& m, const ir::Workflow& w, int depth = 0) {
  uint64_t n = w.nodes.size();
  for (const ir::Node& node : w.nodes) {
    if (n > kMaxDrawnNodes) return kMaxDrawnNodes + 1;
    if (node.kind == ir::Node::Kind::Subworkflow && depth < graph::kMaxDrawnDepth &&
        node.workflow.index < m.workflows.size())
      n += drawn_nodes(m, m.workflows[node.workflow.index], depth + 1);
  }
  return n;
}

int run_graph(const GraphOptions& opts) {
  if (int rc = check_output_path(opts.file, opts.output); rc != kOk) return rc;
  CompileOptions c;
  c.include_dirs = opts.include_dirs;
  c.error_limit = opts.error_limit;
  c.run_passes = false;  // a drawing of a broken plan (a cycle) still helps
  Compilation compiled = compile(opts.file, c);
  if (compiled.module == nullptr) return compiled.status;
  // Placement, for the colours of GPU nodes and the boxes of their stages.
  for (ir::Workflow& w : compiled.module->workflows) {
    for (ir::Node& n : w.nodes) {
      if (n.kind == ir::Node::Kind::Task && n.task.index < compiled.module->tasks.size())
        n.resolved.make() = passes::resolve_attributes(compiled.module->tasks[n.task.index], w, n);
    }
  }
  passes::place_devices(*compiled.module);
  const ir::Module* module = compiled.module.get();

  const ir::Workflow* chosen = choose_workflow(*module, opts.workflow, opts.file);
  if (chosen == nullptr) return kUsage;
  if (drawn_nodes(*module, *chosen) > kMaxDrawnNodes) {
    std::cerr << "flytec: error: workflow '" << chosen->name << "' is too large to draw: more than "
              << kMaxDrawnNodes << " nodes (use 'flytec emit --format text' to read it)\n";
    return kUsage;
  }
  std::string data;
  std::string error;
  if (!graph::render_workflow(*module, *chosen, opts.format, data, error)) {
    std::cerr << "flytec: error: " << error << "\n";
    return kUsage;
  }
  return write_output(opts.output, data);
}

}  // namespace

Runner add_graph_command(CLI::App& app) {
  auto opts = std::make_shared<GraphOptions>();
  CLI::App* cmd = app.add_subcommand("graph", "Draw a workflow as DOT, SVG or PNG (Graphviz)");
  cmd->add_option("file", opts->file, "The .flyte file")->required()->type_name("FILE");
  cmd->add_option("--workflow", opts->workflow,
                  "The workflow to draw (needed when the file has several)");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"dot", "svg", "png"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "Output file ('-' is standard output)")
      ->capture_default_str();
  cmd->add_option("-I", opts->include_dirs, "Also look for imported modules in DIR")
      ->type_name("DIR")
      ->allow_extra_args(false);
  add_error_limit_option(cmd, opts->error_limit);
  return [opts] { return run_graph(*opts); };
}

}  // namespace flyte::driver
