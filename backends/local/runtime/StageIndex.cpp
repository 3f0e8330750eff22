// Finding the fusable GPU stages of a workflow.
#include "backends/local/runtime/StageIndex.h"

#include <algorithm>
#include <map>

namespace flyte::rt {
namespace {

bool eligible(const ir::Module& m, const ir::Node& n) {
  if (n.kind != ir::Node::Kind::Task) return false;
  const ir::Task& t = m.tasks[n.task.index];
  const ir::Attributes& a = n.attributes();
  return std::holds_alternative<ir::Runner::Builtin>(t.runner.body) &&
         a.placement == ir::Placement::Gpu && a.stage && a.retries == 0 && !a.timeout_s &&
         !a.checkpoint_every_s && !t.checkpoint_every_s && !t.cache;
}

// Whether `ref` (a reference from inside body `body`) names node `p` as a body's result.
bool names(const ir::ValueRef& ref, uint32_t p) {
  return ref.kind == ir::ValueRef::Kind::NodeOutput && ref.index == p;
}

}  // namespace

StageIndex build_stage_index(const ir::Module& m, const WorkflowIndex& wf) {
  const ir::Workflow& w = *wf.w;
  StageIndex ix;
  ix.stage_of.assign(w.nodes.size(), -1);
  ix.internal_deps.assign(w.nodes.size(), 0);
  // Candidates by stage number, in body order.
  std::map<uint32_t, std::vector<uint32_t>> by_number;
  std::map<uint32_t, bool> ok;
  for (uint32_t id = 0; id < w.nodes.size(); ++id) {
    const ir::Node& n = w.nodes[id];
    if (n.kind != ir::Node::Kind::Task || !n.attributes().stage) continue;
    uint32_t s = *n.attributes().stage;
    by_number[s].push_back(id);
    auto [it, fresh] = ok.try_emplace(s, true);
    it->second = it->second && eligible(m, n);
  }
  for (auto& [number, nodes] : by_number) {
    if (!ok[number] || nodes.size() < 2) continue;
    std::sort(nodes.begin(), nodes.end(),
              [&](uint32_t a, uint32_t b) { return wf.pos[a] < wf.pos[b]; });
    uint32_t body = wf.owner[nodes.front()];
    std::map<uint32_t, int> member;
    for (size_t i = 0; i < nodes.size(); ++i) member[nodes[i]] = static_cast<int>(i);
    FusedStage st;
    st.number = number;
    st.nodes = nodes;
    bool fusable = true;
    for (uint32_t id : nodes) {
      const ir::Node& n = w.nodes[id];
      const ir::Task& t = m.tasks[n.task.index];
      fusable = fusable && wf.owner[id] == body;
      std::vector<std::optional<std::pair<int, size_t>>> in(t.inputs.size());
      for (const ir::Arg& a : w.args_of(n)) {
        const ir::ValueRef& v = a.value;
        if (v.kind != ir::ValueRef::Kind::NodeOutput || !member.contains(v.index)) continue;
        int from = member[v.index];
        const ir::Node& pn = w.nodes[v.index];
        const ir::Task& pt = m.tasks[pn.task.index];
        std::optional<size_t> out;
        if (v.output == ir::ValueRef::kWhole) {
          if (!pt.named_outputs && pt.outputs.size() == 1) out = 0;
        } else {
          const std::string& field = m.types.get(pn.type).fields[v.output].name;
          for (size_t j = 0; j < pt.outputs.size(); ++j) {
            if (pt.outputs[j].name == field) out = j;
          }
        }
        if (!out || !v.path().empty() || from >= member[id] || a.param >= in.size()) {
          fusable = false;
          continue;
        }
        in[a.param] = std::make_pair(from, *out);
      }
      st.internal.push_back(std::move(in));
      // Used outside: by a node of the body that is not a member, or as the body's result.
      bool leaves = std::any_of(wf.dependents[id].begin(), wf.dependents[id].end(),
                                [&](uint32_t d) { return !member.contains(d); });
      if (body == 0) {
        for (const auto& [name, ref] : w.results) leaves = leaves || names(ref, id);
      } else if (wf.bodies[body].body != nullptr) {
        leaves = leaves || names(wf.bodies[body].body->result, id);
      }
      st.leaves.push_back(leaves);
      const ir::Attributes& a = n.attributes();
      st.cpu = std::max(st.cpu, a.cpu);
      st.mem = std::max(st.mem, a.mem_bytes);
      st.gpu = std::max(st.gpu, a.gpu);
    }
    if (!fusable) continue;
    auto index = static_cast<int32_t>(ix.stages.size());
    for (uint32_t id : nodes) {
      ix.stage_of[id] = index;
      for (uint32_t p : wf.deps[id]) ix.internal_deps[id] += member.contains(p) ? 1 : 0;
    }
    ix.stages.push_back(std::move(st));
  }
  return ix;
}

}  // namespace flyte::rt
