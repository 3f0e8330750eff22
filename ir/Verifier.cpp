// IR verification.
#include "ir/Verifier.h"

#include <fmt/format.h>

#include <cmath>

#include "ir/Args.h"

namespace flyte::ir {
namespace {

class Verifier {
 public:
  explicit Verifier(const Module& m) : m_(m) {}

  std::vector<std::string> run() {
    for (const Task& t : m_.tasks) {
      for (const Param& p : t.inputs) constant(p.default_value, "task " + t.name);
      if (bad_range(t.location)) range(t.location, "task " + t.name);
      policy(t.policy, "task " + t.name);
    }
    for (const Workflow& w : m_.workflows) workflow(w);
    for (const Launch& l : m_.launches) {
      if (l.workflow.index >= m_.workflows.size())
        fail("launch {}: no workflow {}", l.name, l.workflow.index);
      for (const auto& [name, c] : l.inputs) constant(c, "launch " + l.name);
    }
    return std::move(problems_);
  }

 private:
  template <class... Args>
  void fail(fmt::format_string<Args...> f, Args&&... args) {
    problems_.push_back(fmt::format(f, std::forward<Args>(args)...));
  }

  // A source range must name a file of the module's table.
  bool bad_range(const SourceRange& r) const {
    return r.valid() && (r.file >= m_.files.size() || r.begin > r.end);
  }
  void range(const SourceRange& r, const std::string& where) {
    if (bad_range(r)) fail("{}: source range names no file of the module's table", where);
  }

  // What the frontend never lets through (a plan written by hand, or edited): negative
  // counts and sizes, CPUs and durations that are not positive numbers.
  void policy(const Policy& p, const std::string& where) {
    if (p.retries && *p.retries < 0) fail("{}: retries {} is negative", where, *p.retries);
    if (p.timeout_s && !(std::isfinite(*p.timeout_s) && *p.timeout_s > 0))
      fail("{}: timeout {} is not a positive number of seconds", where, *p.timeout_s);
    if (p.cpu && !(std::isfinite(*p.cpu) && *p.cpu > 0))
      fail("{}: cpu {} is not a positive number", where, *p.cpu);
    if (p.mem_bytes && *p.mem_bytes < 0) fail("{}: mem {} is negative", where, *p.mem_bytes);
    if (p.gpu && *p.gpu < 0) fail("{}: gpu {} is negative", where, *p.gpu);
    if (p.disk_bytes && *p.disk_bytes < 0) fail("{}: disk {} is negative", where, *p.disk_bytes);
  }

  void constant(std::optional<ConstId> c, const std::string& where) {
    if (c && c->index >= m_.constants.size()) fail("{}: constant {} out of range", where, c->index);
  }

  // A reference must point at something defined before the node that uses it.
  void value(const Workflow& w, const ValueRef& v, uint32_t user) {
    switch (v.kind) {
      case ValueRef::Kind::Const:
        if (v.index >= m_.constants.size())
          fail("{} %{}: constant {} out of range", w.name, user, v.index);
        break;
      case ValueRef::Kind::Input:
        if (v.index >= w.inputs.size())
          fail("{} %{}: input {} out of range", w.name, user, v.index);
        break;
      case ValueRef::Kind::NodeOutput:
      case ValueRef::Kind::MapItem:
        if (v.index >= w.nodes.size()) {
          fail("{} %{}: node %{} out of range", w.name, user, v.index);
        } else if (v.kind == ValueRef::Kind::NodeOutput && v.index >= user) {
          fail("{} %{}: uses %{}, which is not defined before it", w.name, user, v.index);
        } else if (v.output != ValueRef::kWhole) {
          const TypeData& t = m_.types.get(w.nodes[v.index].type);
          if (v.kind != ValueRef::Kind::NodeOutput || t.kind != TypeKind::Outputs ||
              v.output >= t.fields.size())
            fail("{} %{}: output {} of %{} out of range", w.name, user, v.output, v.index);
        }
        break;
    }
  }

  void workflow(const Workflow& w) {
    if (bad_range(w.location)) range(w.location, "workflow " + w.name);
    std::vector<int> owners(w.nodes.size(), 0);
    for (NodeId id : w.top) {
      if (id.index < w.nodes.size()) ++owners[id.index];
    }
    for (uint32_t i = 0; i < w.nodes.size(); ++i) {
      const Node& n = w.nodes[i];
      if (bad_range(n.location)) range(n.location, fmt::format("{} %{}", w.name, i));
      if (n.kind == Node::Kind::Task && n.task.index >= m_.tasks.size())
        fail("{} %{}: no task {}", w.name, i, n.task.index);
      if (n.kind == Node::Kind::Task || n.kind == Node::Kind::Subworkflow)
        policy(n.overrides(), fmt::format("{} %{}", w.name, i));
      if (n.kind == Node::Kind::Subworkflow && n.workflow.index >= m_.workflows.size()) {
        fail("{} %{}: no workflow {}", w.name, i, n.workflow.index);
      }
      if (uint64_t{n.args.begin} + n.args.count > w.args.size()) {
        fail("{} %{}: arguments out of range", w.name, i);
      } else {
        for (const Arg& a : w.args_of(n)) {
          value(w, a.value, i);
          if (!arg_known(m_, w, n, a))
            fail("{} %{}: no parameter {} to give an argument", w.name, i, a.param);
        }
        if ((n.kind == Node::Kind::Map || n.kind == Node::Kind::Fail) && n.args.count != 1)
          fail("{} %{}: a {} node has one argument", w.name, i,
               n.kind == Node::Kind::Map ? "map" : "fail");
      }
      for (const ValueRef& c : n.conditions()) value(w, c, i);
      for (NodeId a : n.after()) {
        if (a.index >= w.nodes.size()) fail("{} %{}: after %{} out of range", w.name, i, a.index);
      }
      if (n.kind == Node::Kind::Branch && n.bodies().size() != n.conditions().size() + 1) {
        fail("{} %{}: a branch has one body per condition and an else", w.name, i);
      }
      if (n.kind == Node::Kind::Map && n.bodies().size() != 1)
        fail("{} %{}: a map has one body", w.name, i);
      for (const Body& b : n.bodies()) {
        for (NodeId id : b.nodes) {
          if (id.index >= w.nodes.size() || id.index <= i) {
            fail("{} %{}: body node %{} must come after its parent", w.name, i, id.index);
          } else {
            ++owners[id.index];
          }
        }
        if (b.result.kind == ValueRef::Kind::NodeOutput && b.result.index >= w.nodes.size()) {
          fail("{} %{}: body result out of range", w.name, i);
        }
      }
    }
    for (uint32_t i = 0; i < w.nodes.size(); ++i) {
      if (owners[i] != 1) fail("{} %{}: belongs to {} bodies, not one", w.name, i, owners[i]);
    }
    if (w.results.size() != w.outputs.size()) {
      fail("{}: {} results for {} outputs", w.name, w.results.size(), w.outputs.size());
    }
    for (const auto& [name, v] : w.results) value(w, v, static_cast<uint32_t>(w.nodes.size()));
  }

  const Module& m_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> verify_module(const Module& m) { return Verifier(m).run(); }

}  // namespace flyte::ir
