// A fused GPU stage: the members' arguments as kernel values, the stage executor, and
// each member's record.
#include "backends/local/runtime/StageJob.h"

#include <fmt/format.h>

#include <cmath>

#include "backends/local/runtime/BuiltinRunner.h"
#include "backends/local/runtime/Events.h"
#include "backends/local/runtime/Store.h"
#include "backends/local/runtime/gpu/Stage.h"

namespace flyte::rt {

std::optional<std::vector<Value>> run_stage_job(const ir::Module& m, const StageJobOptions& o,
                                                uint32_t number,
                                                const std::vector<StageMember>& members,
                                                const std::string& dir,
                                                const std::atomic<bool>& cancel, Failure& failure) {
  Events& events = *o.executor.events;
  gpu::Stage stage;
  stage.number = number;
  auto task_of = [&](const StageMember& x) -> const ir::Task& {
    return m.tasks[x.node->task.index];
  };
  auto fail_at = [&](const StageMember& x, std::string error) {
    failure.node = x.key;
    failure.task = task_of(x).name;
    failure.error = std::move(error);
    events.emit("failed", {{"node", x.key}, {"task", failure.task}, {"error", failure.error}});
  };
  for (const StageMember& x : members) {
    const ir::Task& t = task_of(x);
    gpu::StageNode n;
    n.key = x.key;
    n.kernel = std::get<ir::Runner::Builtin>(t.runner.body).kernel;
    n.outputs.clear();
    for (const ir::Output& out : t.outputs) {
      n.outputs.push_back(out.name);
      n.leaves.push_back(x.leaves);
    }
    for (size_t i = 0; i < t.inputs.size(); ++i) {
      const ir::Param& p = t.inputs[i];
      if (i < x.internal.size() && x.internal[i]) {
        n.args.push_back(gpu::StageArg::from(x.internal[i]->first, x.internal[i]->second));
        continue;
      }
      std::string error;
      std::optional<tensor::KernelValue> v =
          kernel_arg(m.types, p, x.args.contains(p.name) ? x.args[p.name] : Value(), error);
      if (!v) {
        fail_at(x, error);
        return std::nullopt;
      }
      n.args.push_back(gpu::StageArg::outside(std::move(*v)));
    }
    stage.nodes.push_back(std::move(n));
  }

  tensor::KernelContext ctx;
  ctx.threads = std::max(1, static_cast<int>(std::ceil(o.threads)));
  ctx.cancel = &cancel;
  for (const StageMember& x : members)
    events.emit("started", {{"node", x.key}, {"task", task_of(x).name}, {"attempt", 1}});
  gpu::StageOutputs out;
  try {
    out = gpu::run_stage(stage, *o.device, dir, ctx);
  } catch (const gpu::StageError& e) {
    if (cancel) {
      failure.error = "cancelled";
      return std::nullopt;
    }
    const StageMember* at = &members.front();
    for (const StageMember& x : members) {
      if (x.key == e.node) at = &x;
    }
    fail_at(*at, e.what());
    return std::nullopt;
  }
  if (out.resumed)
    events.log(fmt::format("flytec: GPU stage {} ({}) finished before; not run again", number,
                           members.front().key));

  std::vector<Value> results;
  for (size_t i = 0; i < members.size(); ++i) {
    const StageMember& x = members[i];
    const ir::Task& t = task_of(x);
    Value outputs = Value::object();
    ShapeBindings bindings;
    for (size_t j = 0; j < t.outputs.size(); ++j) {
      const ir::Output& output = t.outputs[j];
      const std::optional<tensor::KernelValue>& v = out.values[i][j];
      if (!v) {
        outputs[output.name] = Value(nullptr);  // stayed on the device
        continue;
      }
      TypeId type = m.types.kind(output.type) == TypeKind::Optional ? m.types.get(output.type).elem
                                                                    : output.type;
      if (m.types.kind(type) == TypeKind::Tensor) {
        outputs[output.name] = Value(std::get<std::string>(*v));
        continue;
      }
      tensor::KernelValue copy = *v;
      std::string error;
      std::optional<Value> value =
          kernel_result(m, output, copy, o.executor.store->node_dir(x.key), bindings, error);
      if (!value) {
        fail_at(x, error);
        return std::nullopt;
      }
      outputs[output.name] = std::move(*value);
    }
    events.emit("finished", {{"node", x.key}, {"task", t.name}, {"attempt", 1}});
    Value record = {{"type", "done"},
                    {"node", x.key},
                    {"fingerprint", t.fingerprint},
                    {"args", o.node_executor->args_digest(t, x.args)},
                    {"outputs", outputs}};
    std::string error;
    if (!o.executor.store->keep(x.key, outputs, record, error)) {
      fail_at(x, error);
      return std::nullopt;
    }
    results.push_back(std::move(outputs));
  }
  return results;
}

}  // namespace flyte::rt
