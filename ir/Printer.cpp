// The IR text form.
#include "ir/Printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <span>
#include <string>

#include "ir/Args.h"
#include "support/CppString.h"

namespace flyte::ir {

std::string quote(std::string_view s) { return cpp_string_literal(s); }

std::string expr_op_text(const TypeTable& types, const Node& n) {
  if (n.op == ExprOp::StructLit) return "struct " + types.str(n.type);
  return std::string(spelling(n.op));
}

namespace {

class Printer {
 public:
  Printer(const Module& m, std::ostream& out, const PrintOptions& options)
      : m_(m), out_(out), options_(options) {}

  void run() {
    out_ << "module " << (m_.name.empty() ? "main" : m_.name) << "\n";
    // Struct and enum types with their fields and members, so that the text form can be
    // read back.
    for (size_t i = 0; i < m_.types.count(); ++i) {
      const TypeData& t = m_.types.get(TypeId{static_cast<uint32_t>(i)});
      if (t.kind == TypeKind::Struct) {
        out_ << "struct " << t.name << " {";
        for (size_t f = 0; f < t.fields.size(); ++f)
          out_ << (f == 0 ? " " : ", ") << t.fields[f].name << ": " << type(t.fields[f].type);
        out_ << " }\n";
      }
      if (t.kind == TypeKind::Enum) {
        out_ << "enum " << t.name << " {";
        for (size_t e = 0; e < t.members.size(); ++e) out_ << (e == 0 ? " " : ", ") << t.members[e];
        out_ << " }\n";
      }
    }
    for (const Task& t : m_.tasks) task(t);
    for (const Workflow& w : m_.workflows) workflow(w);
    for (const Launch& l : m_.launches) launch(l);
  }

 private:
  std::string type(TypeId t) const { return m_.types.str(t); }

  // The name of the output a reference picks, such as `train` of `%3.train`.
  const std::string& output_name(const ValueRef& v) const {
    return m_.types.get(current_->nodes[v.index].type).fields[v.output].name;
  }

  std::string value(const ValueRef& v) const {
    std::string out;
    switch (v.kind) {
      case ValueRef::Kind::Const: out = value_text(m_.constants[v.index].value); break;
      case ValueRef::Kind::Input: out = "$" + current_->inputs[v.index].name; break;
      case ValueRef::Kind::NodeOutput: {
        out = fmt::format("%{}", v.index);
        if (v.output != ValueRef::kWhole) out += "." + output_name(v);
        break;
      }
      case ValueRef::Kind::MapItem: out = fmt::format("%{}.item", v.index); break;
    }
    for (const std::string& p : v.path()) out += "." + p;
    return out;
  }

  std::string params(const std::vector<Param>& ps) const {
    std::string out;
    for (size_t i = 0; i < ps.size(); ++i) {
      if (i > 0) out += ", ";
      out += ps[i].name + ": " + type(ps[i].type);
      if (ps[i].default_value)
        out += " = " + value_text(m_.constants[ps[i].default_value->index].value);
    }
    return out;
  }

  std::string outputs(const std::vector<Output>& os, bool named) const {
    if (os.empty()) return "";
    if (!named) return " -> " + type(os[0].type);
    std::string out = " -> (";
    for (size_t i = 0; i < os.size(); ++i) {
      if (i > 0) out += ", ";
      out += os[i].name + ": " + type(os[i].type);
    }
    return out + ")";
  }

  static std::string policy(const Policy& p) {
    std::string out;
    if (p.retries) out += fmt::format(" retries={}", *p.retries);
    if (p.timeout_s) out += fmt::format(" timeout={}s", *p.timeout_s);
    if (p.interruptible) out += *p.interruptible ? " interruptible" : "";
    if (p.cpu) out += fmt::format(" cpu={}", *p.cpu);
    if (p.mem_bytes) out += fmt::format(" mem={}", *p.mem_bytes);
    if (p.gpu) out += fmt::format(" gpu={}", *p.gpu);
    if (p.disk_bytes) out += fmt::format(" disk={}", *p.disk_bytes);
    if (!p.accelerator.empty()) out += " accelerator=" + p.accelerator;
    if (!p.device.empty()) out += " device=" + p.device;
    return out;
  }

  void task(const Task& t) {
    out_ << "\ntask " << t.name << "(" << params(t.inputs) << ")"
         << outputs(t.outputs, t.named_outputs) << "\n";
    // The C++ file's hash is left out: the text form is read back from its sources'
    // directory, where the plan-cache pass hashes the file again.
    out_ << "  runner " << spelling(t.runner.kind()) << " ";
    if (const auto* shell = std::get_if<Runner::Shell>(&t.runner.body)) {
      out_ << quote(shell->command);
    } else if (const auto* cpp = std::get_if<Runner::Cpp>(&t.runner.body)) {
      out_ << quote(cpp->file);
      if (!cpp->symbol.empty()) out_ << " " << quote(cpp->symbol);
    } else {
      out_ << quote(std::get<Runner::Builtin>(t.runner.body).kernel);
    }
    out_ << "\n";
    std::string p = policy(t.policy);
    if (!p.empty()) out_ << "  policy" << p << "\n";
    if (t.cache) {
      out_ << "  cache version=" << quote(t.cache_version);
      for (const std::string& i : t.cache_ignore) out_ << " ignore=" << i;
      out_ << "\n";
    }
    if (t.checkpoint_every_s)
      out_ << fmt::format("  checkpoint every={}s\n", *t.checkpoint_every_s);
    if (!t.image.empty()) out_ << "  image " << quote(t.image) << "\n";
    for (const auto& [k, v] : t.env) out_ << "  env " << k << "=" << quote(v) << "\n";
    for (const std::string& s : t.secrets) out_ << "  secret " << quote(s) << "\n";
    if (!t.fingerprint.empty()) out_ << "  fingerprint " << t.fingerprint << "\n";
  }

  void node(const Workflow& w, NodeId id, int indent) {
    const Node& n = w.nodes[id.index];
    std::string pad(static_cast<size_t>(indent), ' ');
    out_ << pad << "%" << id.index << " = ";
    auto args = [&] {
      std::string out;
      std::span<const Arg> in = w.args_of(n);
      for (size_t i = 0; i < in.size(); ++i) {
        if (i > 0) out += ", ";
        std::string name = arg_name(m_, w, n, in[i]);
        bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
        });
        out += (plain ? name : quote(name)) + " = " + value(in[i].value);
      }
      return out;
    };
    switch (n.kind) {
      case Node::Kind::Task:
        out_ << "task " << m_.tasks[n.task.index].name << "(" << args() << ")";
        break;
      case Node::Kind::Subworkflow:
        out_ << "workflow " << m_.workflows[n.workflow.index].name << "(" << args() << ")";
        break;
      case Node::Kind::Expr: out_ << expr_op_text(m_.types, n) << "(" << args() << ")"; break;
      case Node::Kind::Fail: out_ << "fail(" << args() << ")"; break;
      case Node::Kind::Branch: out_ << "branch"; break;
      case Node::Kind::Map: out_ << "map " << value(w.args_of(n).front().value); break;
    }
    out_ << " : " << type(n.type);
    if (!n.name.empty()) out_ << "  ; " << n.name;
    std::string p = policy(n.overrides());
    if (!p.empty()) out_ << "  [" << p.substr(1) << "]";
    if (n.concurrency()) out_ << fmt::format("  [concurrency={}]", *n.concurrency());
    if (n.min_success()) out_ << fmt::format("  [min_success={}]", *n.min_success());
    if (!n.after().empty()) {
      out_ << "  after";
      for (NodeId a : n.after()) out_ << " %" << a.index;
    }
    // The device the place-devices pass chose: `on gpu stage 0`, `on cpu`.
    if (const Attributes* a = n.resolved.get(); a != nullptr && a->placement != Placement::None) {
      out_ << "  on " << spelling(a->placement);
      if (a->stage) out_ << " stage " << *a->stage;
    }
    out_ << "\n";
    if (options_.resolved_attributes && n.resolved.get() != nullptr)
      out_ << pad << "  ; resolved " << attributes_text(*n.resolved.get()) << "\n";
    for (size_t b = 0; b < n.bodies().size(); ++b) {
      if (n.kind == Node::Kind::Branch) {
        out_ << pad << (b < n.conditions().size() ? "  if " + value(n.conditions()[b]) : "  else")
             << " {\n";
      } else {
        out_ << pad << "  do {\n";
      }
      for (NodeId inner : n.bodies()[b].nodes) node(w, inner, indent + 4);
      out_ << pad << "    result " << value(n.bodies()[b].result) << "\n" << pad << "  }\n";
    }
  }

  void workflow(const Workflow& w) {
    current_ = &w;
    out_ << "\nworkflow " << w.name << "(" << params(w.inputs) << ")"
         << outputs(w.outputs, w.named_outputs) << "\n";
    if (w.failure_policy != FailurePolicy::FailFast)
      out_ << "  failure_policy " << spelling(w.failure_policy) << "\n";
    if (w.interruptible) out_ << "  interruptible\n";
    for (NodeId id : w.top) node(w, id, 2);
    for (const auto& [name, v] : w.results)
      out_ << "  return " << name << " = " << value(v) << "\n";
    current_ = nullptr;
  }

  void launch(const Launch& l) {
    out_ << "\nlaunch " << l.name << " = " << m_.workflows[l.workflow.index].name << "(";
    for (size_t i = 0; i < l.inputs.size(); ++i) {
      if (i > 0) out_ << ", ";
      out_ << l.inputs[i].first << " = "
           << value_text(m_.constants[l.inputs[i].second.index].value);
    }
    out_ << ")";
    if (!l.schedule.empty()) out_ << " schedule " << quote(l.schedule);
    out_ << "\n";
  }

  const Module& m_;
  std::ostream& out_;
  const PrintOptions& options_;
  const Workflow* current_ = nullptr;
};

}  // namespace

void print_module(const Module& m, std::ostream& out, const PrintOptions& options) {
  Printer(m, out, options).run();
}

std::string attributes_text(const Attributes& a) {
  std::string out = fmt::format("cpu={} mem={} gpu={} disk={} retries={}", a.cpu, a.mem_bytes,
                                a.gpu, a.disk_bytes, a.retries);
  if (a.timeout_s) out += fmt::format(" timeout={}s", *a.timeout_s);
  if (a.interruptible) out += " interruptible";
  if (!a.accelerator.empty()) out += " accelerator=" + a.accelerator;
  if (!a.device.empty()) out += " device=" + a.device;
  if (a.checkpoint_every_s) out += fmt::format(" checkpoint_every={}s", *a.checkpoint_every_s);
  if (a.placement != Placement::None) out += fmt::format(" placement={}", spelling(a.placement));
  if (a.stage) out += fmt::format(" stage={}", *a.stage);
  return out;
}

}  // namespace flyte::ir
