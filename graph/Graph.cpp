// Workflow graphs through Graphviz's cgraph (building) and gvc (layout, rendering).
#include "graph/Graph.h"

#include <fmt/format.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>
#include <unordered_map>

#include "ir/Args.h"
#include "ir/Dependencies.h"
#include "ir/Printer.h"

namespace flyte::graph {
namespace {

// cgraph takes `char*` for names and attributes it does not modify.
char* c(const std::string& s) { return const_cast<char*>(s.c_str()); }

void set(void* obj, const char* key, const std::string& value) {
  agsafeset(obj, const_cast<char*>(key), c(value), const_cast<char*>(""));
}

class Builder {
 public:
  // Draws `w` into `where` (the graph itself, or a sub-workflow's cluster); node names
  // start with `prefix` so that a sub-workflow drawn twice stays apart.
  Builder(const ir::Module& m, const ir::Workflow& w, Agraph_t* g, Agraph_t* where = nullptr,
          std::string prefix = "")
      : m_(m), w_(w), g_(g), where_(where != nullptr ? where : g), prefix_(std::move(prefix)) {}

  void run() {
    if (where_ == g_) {
      set(g_, "rankdir", "TB");
      set(g_, "label",
          escape("workflow " + w_.name + (w_.doc.empty() ? "" : "\n" + first_line(w_.doc))));
      set(g_, "labelloc", "t");
      set(g_, "fontname", "Helvetica");
      agattr(g_, AGNODE, c("fontname"), c("Helvetica"));
      agattr(g_, AGEDGE, c("fontname"), c("Helvetica"));
      agattr(g_, AGEDGE, c("fontsize"), c("10"));
    }
    for (size_t i = 0; i < w_.inputs.size(); ++i) {
      Agnode_t* n = agnode(where_, c(fmt::format("{}in_{}", prefix_, i)), 1);
      set(n, "label", escape(w_.inputs[i].name + "\n" + m_.types.str(w_.inputs[i].type)));
      set(n, "shape", "invhouse");
      set(n, "style", "filled");
      set(n, "fillcolor", "#e8f0fe");
      inputs_.push_back(n);
    }
    for (ir::NodeId id : w_.top) node(where_, id);
    for (size_t i = 0; i < w_.results.size(); ++i) {
      Agnode_t* n = agnode(where_, c(fmt::format("{}out_{}", prefix_, i)), 1);
      results_.push_back(n);
      const auto& [name, v] = w_.results[i];
      set(n, "label", name);
      set(n, "shape", "house");
      set(n, "style", "filled");
      set(n, "fillcolor", "#e6f4ea");
      edge(v, n, "");
    }
  }

 private:
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

  // Graphviz reads `\n` in a label as a line break and `\\` as a backslash.
  static std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
      if (ch == '\\') {
        out += "\\\\";
      } else if (ch == '\n') {
        out += "\\n";
      } else {
        out += ch;
      }
    }
    return out;
  }

  std::string label(const ir::Node& n) {
    std::string head;
    std::vector<std::string> notes;
    auto add_policy = [&](const ir::Policy& p) {
      if (p.retries) notes.push_back(fmt::format("retries {}", *p.retries));
      if (p.timeout_s) notes.push_back(fmt::format("timeout {}s", *p.timeout_s));
      if (p.gpu && *p.gpu > 0) {
        notes.push_back(
            fmt::format("GPU {}{}", *p.gpu, p.accelerator.empty() ? "" : " " + p.accelerator));
      }
      if (p.interruptible && *p.interruptible) notes.push_back("spot");
    };
    switch (n.kind) {
      case ir::Node::Kind::Task: {
        const ir::Task& t = m_.tasks[n.task.index];
        head = t.name;
        if (t.cache)
          notes.push_back(t.cache_version.empty() ? "cached" : "cached v" + t.cache_version);
        add_policy(t.policy);
        break;
      }
      case ir::Node::Kind::Subworkflow:
        head = "workflow " + m_.workflows[n.workflow.index].name;
        break;
      case ir::Node::Kind::Expr: head = ir::expr_op_text(m_.types, n); break;
      case ir::Node::Kind::Fail: head = "fail"; break;
      case ir::Node::Kind::Branch: head = "if"; break;
      case ir::Node::Kind::Map: {
        head = "for each";
        if (n.concurrency()) notes.push_back(fmt::format("{} at a time", *n.concurrency()));
        if (n.min_success()) notes.push_back(fmt::format("≥{}% succeed", *n.min_success() * 100));
        break;
      }
    }
    add_policy(n.overrides());
    std::string out = n.name.empty() ? head : n.name + " = " + head;
    for (const std::string& note : notes) out += "\n" + note;
    return escape(out);
  }

  Agnode_t* node(Agraph_t* where, ir::NodeId id) {
    const ir::Node& n = w_.nodes[id.index];
    // A sub-workflow is a cluster holding its own graph: arguments flow into its inputs,
    // its results into the call's node, which stands for its value.
    Agraph_t* cluster = nullptr;
    if (n.kind == ir::Node::Kind::Subworkflow && depth_ < kMaxDrawnDepth &&
        n.workflow.index < m_.workflows.size()) {
      cluster = agsubg(where, c(fmt::format("cluster_{}w{}", prefix_, id.index)), 1);
      set(cluster, "label", escape("workflow " + m_.workflows[n.workflow.index].name));
      set(cluster, "style", "rounded");
      set(cluster, "color", "#5f6368");
    }
    // GPU nodes of one stage (place-devices) sit in one box: they run as one unit.
    if (const ir::Attributes* a = n.resolved.get(); a != nullptr && a->stage) {
      where = agsubg(where, c(fmt::format("cluster_{}stage{}", prefix_, *a->stage)), 1);
      set(where, "label", fmt::format("GPU stage {}", *a->stage));
      set(where, "style", "rounded");
      set(where, "color", "#188038");
    }
    Agnode_t* v =
        agnode(cluster != nullptr ? cluster : where, c(fmt::format("{}n{}", prefix_, id.index)), 1);
    nodes_[id.index] = v;
    set(v, "label", label(n));
    switch (n.kind) {
      case ir::Node::Kind::Task: {
        const ir::Task& t = m_.tasks[n.task.index];
        set(v, "shape", "box");
        set(v, "style", "rounded,filled");
        bool gpu =
            (t.policy.gpu && *t.policy.gpu > 0) || (n.overrides().gpu && *n.overrides().gpu > 0);
        // Tensor tasks the place-devices pass put on the GPU are green.
        bool on_gpu = n.attributes().placement == ir::Placement::Gpu;
        set(v, "fillcolor", on_gpu ? "#ceead6" : gpu ? "#fde7e9" : t.cache ? "#fff4ce" : "#ffffff");
        set(v, "tooltip", escape(t.doc.empty() ? t.name : t.doc));
        break;
      }
      case ir::Node::Kind::Subworkflow:
        set(v, "shape", "component");
        set(v, "tooltip", escape(m_.workflows[n.workflow.index].doc));
        break;
      case ir::Node::Kind::Expr: set(v, "shape", "ellipse"); break;
      case ir::Node::Kind::Fail:
        set(v, "shape", "octagon");
        set(v, "color", "#c5221f");
        break;
      case ir::Node::Kind::Branch: set(v, "shape", "diamond"); break;
      case ir::Node::Kind::Map: set(v, "shape", "box3d"); break;
    }
    if (cluster != nullptr) {
      const ir::Workflow& callee = m_.workflows[n.workflow.index];
      Builder inner(m_, callee, g_, cluster, fmt::format("{}s{}_", prefix_, id.index));
      inner.depth_ = depth_ + 1;
      inner.run();
      for (const ir::Arg& a : w_.args_of(n)) {
        if (a.param < inner.inputs_.size()) edge(a.value, inner.inputs_[a.param], "");
      }
      for (size_t i = 0; i < inner.results_.size(); ++i) {
        Agedge_t* e = agedge(g_, inner.results_[i], v, nullptr, 1);
        set(e, "style", "dotted");
      }
    }
    // The values the node reads, as the dependency analysis sees them; a sub-workflow's
    // arguments went to its inputs above, and body results go to each body's point below.
    ir::for_each_use(w_, n, [&](const ir::ValueRef& value, ir::Use use) {
      if (use.kind == ir::Use::Kind::Input && cluster == nullptr)
        edge(value, v, ir::arg_name(m_, w_, n, w_.args_of(n)[use.index]));
      if (use.kind == ir::Use::Kind::Condition) edge(value, v, use.index == 0 ? "if" : "else if");
    });
    for (ir::NodeId a : n.after()) {
      if (Agnode_t* from = nodes_[a.index]) {
        Agedge_t* e = agedge(g_, from, v, nullptr, 1);
        set(e, "style", "dashed");
        set(e, "label", "after");
      }
    }
    // Bodies are clusters; the branch or map points into each and each points back out.
    for (size_t b = 0; b < n.bodies().size(); ++b) {
      std::string title = n.kind == ir::Node::Kind::Map ? "each item"
                          : b < n.conditions().size()   ? (b == 0 ? "then" : "else if")
                                                        : "else";
      Agraph_t* sub = agsubg(where, c(fmt::format("cluster_{}{}_{}", prefix_, id.index, b)), 1);
      set(sub, "label", title);
      set(sub, "style", "rounded,dashed");
      set(sub, "color", "#9aa0a6");
      Agnode_t* first = nullptr;
      for (ir::NodeId inner : n.bodies()[b].nodes) {
        Agnode_t* x = node(sub, inner);
        if (first == nullptr) first = x;
      }
      Agnode_t* result = agnode(sub, c(fmt::format("{}r{}_{}", prefix_, id.index, b)), 1);
      set(result, "label", "result");
      set(result, "shape", "point");
      edge(n.bodies()[b].result, result, "");
      if (first != nullptr) {
        Agedge_t* e = agedge(g_, v, first, nullptr, 1);
        set(e, "style", "dotted");
      } else {
        Agedge_t* e = agedge(g_, v, result, nullptr, 1);
        set(e, "style", "dotted");
      }
    }
    return v;
  }

  // An edge for a value flowing into `to`, labelled with the parameter and the output.
  void edge(const ir::ValueRef& v, Agnode_t* to, const std::string& param) {
    Agnode_t* from = nullptr;
    std::string what;
    switch (v.kind) {
      case ir::ValueRef::Kind::Const: return;  // constants are not drawn
      case ir::ValueRef::Kind::Input:
        from = v.index < inputs_.size() ? inputs_[v.index] : nullptr;
        break;
      case ir::ValueRef::Kind::NodeOutput:
        from = nodes_[v.index];
        if (v.output != ir::ValueRef::kWhole)
          what = m_.types.get(w_.nodes[v.index].type).fields[v.output].name;
        break;
      case ir::ValueRef::Kind::MapItem:
        from = nodes_[v.index];
        what = "item";
        break;
    }
    if (from == nullptr) return;
    for (const std::string& p : v.path()) what += (what.empty() ? "" : ".") + p;
    std::string text = what.empty() ? param : param.empty() ? what : what + " → " + param;
    Agedge_t* e = agedge(g_, from, to, nullptr, 1);
    if (!text.empty()) set(e, "label", escape(text));
  }

  const ir::Module& m_;
  const ir::Workflow& w_;
  Agraph_t* g_;
  Agraph_t* where_;
  std::string prefix_;
  int depth_ = 0;  // sub-workflows drawn inside sub-workflows, up to a limit
  std::vector<Agnode_t*> inputs_;
  std::vector<Agnode_t*> results_;
  std::unordered_map<uint32_t, Agnode_t*> nodes_;
};

}  // namespace

bool render_workflow(const ir::Module& m, const ir::Workflow& w, const std::string& format,
                     std::string& out, std::string& error) {
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContext(), gvFreeContext);
  Agraph_t* g = agopen(c(w.name.empty() ? "workflow" : w.name), Agdirected, nullptr);
  if (gvc == nullptr || g == nullptr) {
    error = "Graphviz could not start";
    return false;
  }
  Builder(m, w, g).run();
  char* data = nullptr;
  unsigned int length = 0;
  int rc = 0;
  if (format == "dot") {
    rc = gvLayout(gvc.get(), g, "dot");
    if (rc == 0) rc = gvRenderData(gvc.get(), g, "canon", &data, &length);
  } else {
    rc = gvLayout(gvc.get(), g, "dot");
    if (rc == 0) rc = gvRenderData(gvc.get(), g, c(format), &data, &length);
  }
  if (rc == 0 && data != nullptr) out.assign(data, length);
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), g);
  agclose(g);
  if (rc != 0) {
    error = fmt::format("Graphviz could not render '{}'", format);
    return false;
  }
  return true;
}

}  // namespace flyte::graph
