// The resolve-attributes pass.
#include "passes/ResolveAttributes.h"

namespace flyte::passes {

ir::Attributes resolve_attributes(const ir::Task& t, const ir::Workflow& w, const ir::Node& n) {
  const ir::Policy& site = n.overrides();
  const ir::Policy& task = t.policy;
  // The call site's value, else the task's, else `fallback`.
  auto pick = [](const auto& a, const auto& b, auto fallback) {
    return a ? *a : b ? *b : fallback;
  };
  auto pick_text = [](const std::string& a, const std::string& b) { return a.empty() ? b : a; };
  ir::Attributes out;
  out.cpu = pick(site.cpu, task.cpu, out.cpu);
  out.mem_bytes = pick(site.mem_bytes, task.mem_bytes, out.mem_bytes);
  out.gpu = pick(site.gpu, task.gpu, out.gpu);
  out.disk_bytes = pick(site.disk_bytes, task.disk_bytes, out.disk_bytes);
  out.accelerator = pick_text(site.accelerator, task.accelerator);
  out.retries = pick(site.retries, task.retries, out.retries);
  out.timeout_s = site.timeout_s ? site.timeout_s : task.timeout_s;
  out.interruptible = pick(site.interruptible, task.interruptible, w.interruptible);
  out.device = pick_text(site.device, task.device);
  out.checkpoint_every_s = t.checkpoint_every_s;
  return out;
}

namespace {

class ResolveAttributes final : public Pass {
 public:
  std::string_view name() const override { return "resolve-attributes"; }
  std::string_view summary() const override {
    return "resolves each task node's resources, retries, timeout, placement and checkpoint "
           "policy: call site, then task, then defaults";
  }

  void run(ir::Module& m, PassContext&) override {
    for (ir::Workflow& w : m.workflows) {
      for (ir::Node& n : w.nodes) {
        if (n.kind != ir::Node::Kind::Task || n.task.index >= m.tasks.size()) continue;
        n.resolved.make() = resolve_attributes(m.tasks[n.task.index], w, n);
        count("nodes", "task nodes resolved");
        if (!n.overrides().empty()) count("overridden", "task nodes with call-site annotations");
      }
    }
  }
};

}  // namespace

std::unique_ptr<Pass> create_resolve_attributes() { return std::make_unique<ResolveAttributes>(); }

}  // namespace flyte::passes
