// AST + semantics -> IR.
#include "frontend/Lower.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "frontend/Annotations.h"
#include "support/Check.h"
#include "support/Hash.h"

namespace flyte {
namespace {

using ast::Decl;
using ast::DeclKind;
using ast::Expr;
using ast::ExprKind;

// True for a URI such as `s3://bucket/key`: a scheme (RFC 3986: a letter, then letters,
// digits, `+`, `-` or `.`) followed by `://`.
bool is_uri(std::string_view p) {
  size_t colon = p.find("://");
  if (colon == std::string_view::npos || colon == 0 ||
      !std::isalpha(static_cast<unsigned char>(p[0])))
    return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = p[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return true;
}

ir::RunnerKind runner_kind(ast::RunnerKind k) {
  switch (k) {
    case ast::RunnerKind::Shell: return ir::RunnerKind::Shell;
    case ast::RunnerKind::Cpp: return ir::RunnerKind::Cpp;
    case ast::RunnerKind::Builtin: return ir::RunnerKind::Builtin;
  }
  FLYTEC_UNREACHABLE("unknown runner kind");
}

ir::ExprOp binary_op(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Mul: return ir::ExprOp::Mul;
    case ast::BinaryOp::Div: return ir::ExprOp::Div;
    case ast::BinaryOp::Add: return ir::ExprOp::Add;
    case ast::BinaryOp::Sub: return ir::ExprOp::Sub;
    case ast::BinaryOp::Eq: return ir::ExprOp::Eq;
    case ast::BinaryOp::Ne: return ir::ExprOp::Ne;
    case ast::BinaryOp::Lt: return ir::ExprOp::Lt;
    case ast::BinaryOp::Le: return ir::ExprOp::Le;
    case ast::BinaryOp::Gt: return ir::ExprOp::Gt;
    case ast::BinaryOp::Ge: return ir::ExprOp::Ge;
    case ast::BinaryOp::And: return ir::ExprOp::And;
    case ast::BinaryOp::Or: return ir::ExprOp::Or;
  }
  FLYTEC_UNREACHABLE("unknown binary operator");
}

class Lowerer {
 public:
  Lowerer(const Program& program, Semantics& sema, const SourceManager& sm)
      : program_(program), sema_(sema), sm_(sm) {}

  std::unique_ptr<ir::Module> run() {
    m_ = std::make_unique<ir::Module>();
    m_->name = program_.main()->name;
    m_->types = std::move(sema_.types);
    // Ids first, so that calls may refer to declarations further down.
    for (const auto& mod : program_.modules) {
      for (const Decl* d : mod->ast->decls) {
        if (d->kind == DeclKind::Task) task_ids_[d] = static_cast<uint32_t>(task_ids_.size());
        if (d->kind == DeclKind::Workflow)
          workflow_ids_[d] = static_cast<uint32_t>(workflow_ids_.size());
      }
    }
    m_->tasks.resize(task_ids_.size());
    m_->workflows.resize(workflow_ids_.size());
    for (const auto& mod : program_.modules) {
      std::error_code ec;
      dir_ = std::filesystem::absolute(mod->path, ec).parent_path();
      for (const Decl* d : mod->ast->decls) {
        if (d->kind == DeclKind::Task) task(static_cast<const ast::TaskDecl*>(d));
        if (d->kind == DeclKind::Workflow) workflow(static_cast<const ast::WorkflowDecl*>(d));
        if (d->kind == DeclKind::Launch) launch(static_cast<const ast::LaunchDecl*>(d));
      }
    }
    return std::move(m_);
  }

 private:
  std::string qualified(const Decl* d) const {
    const Module* mod = sema_.modules.at(d);
    if (mod == program_.main() || mod->name.empty()) return std::string(d->name.name);
    return mod->name + "." + std::string(d->name.name);
  }

  // A constant's value, from the literals the AST holds decoded. `expected` is the type
  // the constant is given as (a parameter's, an output's); a string literal where it is a
  // `File` or `Dir` is a path and is resolved against the directory of the file that
  // wrote it.
  ir::Value constant_value(const Expr* e, std::optional<TypeId> expected) {
    const TypeTable& types = m_->types;
    // An optional's value is its element's.
    if (expected && types.kind(*expected) == TypeKind::Optional)
      expected = types.get(*expected).elem;
    auto part = [&](std::optional<TypeId> t) -> std::optional<TypeId> {
      if (!t) return std::nullopt;
      TypeKind k = types.kind(*t);
      if (k == TypeKind::List || k == TypeKind::Map) return types.get(*t).elem;
      return std::nullopt;
    };
    switch (e->kind) {
      case ExprKind::Int: return ir::Value::int_(static_cast<const ast::IntLit*>(e)->value);
      case ExprKind::Float: return ir::Value::float_(static_cast<const ast::FloatLit*>(e)->value);
      case ExprKind::Bool: return ir::Value::bool_(static_cast<const ast::BoolLit*>(e)->value);
      case ExprKind::None: return ir::Value::none();
      case ExprKind::String: {
        const std::string& v = static_cast<const ast::StringLit*>(e)->value;
        TypeKind k = expected ? types.kind(*expected) : TypeKind::Error;
        if (k == TypeKind::File) return ir::Value::file(resolve_path(v));
        if (k == TypeKind::Dir) return ir::Value::dir(resolve_path(v));
        return ir::Value::string(v);
      }
      case ExprKind::Duration:
        return ir::Value::duration(static_cast<const ast::DurationLit*>(e)->seconds);
      case ExprKind::Size: return ir::Value::size(static_cast<const ast::SizeLit*>(e)->bytes);
      case ExprKind::List: {
        std::optional<TypeId> elem = part(expected ? expected : type_of(e));
        std::vector<ir::Value> items;
        for (const Expr* x : static_cast<const ast::ListExpr*>(e)->elements)
          items.push_back(constant_value(x, elem));
        return ir::Value::list(std::move(items));
      }
      case ExprKind::Map: {
        std::optional<TypeId> elem = part(expected ? expected : type_of(e));
        std::vector<std::string> keys;
        std::vector<ir::Value> values;
        for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) {
          keys.push_back(m.key->value);
          values.push_back(constant_value(m.value, elem));
        }
        return ir::Value::map(std::move(keys), std::move(values));
      }
      case ExprKind::Struct: {
        auto* s = static_cast<const ast::StructExpr*>(e);
        std::vector<std::string> fields;
        std::vector<ir::Value> values;
        for (const ast::FieldInit& f : s->fields) {
          fields.emplace_back(f.name.name);
          values.push_back(constant_value(f.value, field_type(type_of(e), f.name.name)));
        }
        return ir::Value::struct_(s->type.str(), std::move(fields), std::move(values));
      }
      default: return ir::Value::none();  // an expression already reported
    }
  }

  // The type of field `name` of struct type `t`, if it has one.
  std::optional<TypeId> field_type(TypeId t, std::string_view name) const {
    if (m_->types.kind(t) != TypeKind::Struct) return std::nullopt;
    for (const FieldType& f : m_->types.get(t).fields) {
      if (f.name == name) return f.type;
    }
    return std::nullopt;
  }

  // The index of field `name` among the fields of struct type `t` (0 when it has none:
  // the checker reported it).
  uint32_t field_index(TypeId t, std::string_view name) const {
    if (m_->types.kind(t) != TypeKind::Struct) return 0;
    const std::vector<FieldType>& fs = m_->types.get(t).fields;
    for (uint32_t i = 0; i < fs.size(); ++i) {
      if (fs[i].name == name) return i;
    }
    return 0;
  }

  // A path written in the current module: absolute paths and URIs stay as written; a
  // relative one is taken from the module file's directory, so that it names the same
  // file wherever the workflow later runs.
  std::string resolve_path(const std::string& p) const {
    if (p.empty() || p[0] == '/' || is_uri(p)) return p;
    return (dir_ / p).lexically_normal().string();
  }

  // A range of the module's file table; each source file is added on first use.
  ir::SourceRange location(SourceRange r) {
    if (!r.file.valid()) return {};
    auto [it, added] = file_index_.try_emplace(r.file.index, m_->files.size());
    if (added) m_->files.push_back(sm_.name(r.file));
    return {it->second, r.begin, r.end};
  }

  ir::ConstId add_constant(const Expr* e, std::optional<TypeId> expected) {
    m_->constants.push_back({sema_.type_of(e), constant_value(e, expected)});
    return ir::ConstId{static_cast<uint32_t>(m_->constants.size() - 1)};
  }

  // How task `t` runs. A C++ task carries its file's hash, so that editing the function
  // changes the task's fingerprint.
  ir::Runner runner(const ast::Runner& r) const {
    auto arg = [&](size_t i) { return i < r.args.size() ? r.args[i]->value : std::string(); };
    switch (runner_kind(r.kind)) {
      case ir::RunnerKind::Shell: return {ir::Runner::Shell{arg(0)}};
      case ir::RunnerKind::Builtin: return {ir::Runner::Builtin{arg(0)}};
      case ir::RunnerKind::Cpp: break;
    }
    ir::Runner::Cpp cpp{arg(0), arg(1), {}};
    std::ifstream in(dir_ / cpp.file, std::ios::binary);
    if (in) cpp.source_hash = hash_bytes(std::string(std::istreambuf_iterator<char>(in), {}));
    return {std::move(cpp)};
  }

  std::vector<ir::Param> params(const Decl* d, const std::vector<ast::Param>& ps) {
    std::vector<ir::Param> out;
    const auto& types = sema_.param_types.at(d);
    for (size_t i = 0; i < ps.size(); ++i) {
      ir::Param p{std::string(ps[i].name.name), types[i], std::nullopt};
      if (ps[i].default_value != nullptr && ast::is_constant(ps[i].default_value)) {
        p.default_value = add_constant(ps[i].default_value, types[i]);
      }
      out.push_back(p);
    }
    return out;
  }

  std::vector<ir::Output> outputs(const Decl* d) {
    std::vector<ir::Output> out;
    for (const FieldType& f : sema_.outputs.at(d)) out.push_back({f.name, f.type});
    return out;
  }

  void task(const ast::TaskDecl* t) {
    ir::Task& out = m_->tasks[task_ids_.at(t)];
    out.name = qualified(t);
    out.doc = t->doc;
    out.inputs = params(t, t->params);
    out.outputs = outputs(t);
    out.named_outputs = t->outputs && t->outputs->named;
    out.runner = runner(t->runner);
    // What the annotations say, read by the checker's table: nothing is parsed twice.
    AnnotationValues v = read_annotations(t->annotations);
    out.policy = v.policy;
    if (v.cache) {
      out.cache = true;
      out.cache_version = v.cache->version;
      out.cache_ignore = v.cache->ignore;
    }
    out.checkpoint_every_s = v.checkpoint_every_s;
    out.image = v.image;
    out.env = v.env;
    out.secrets = v.secrets;
    out.location = location(t->name.range);
  }

  // ------------------------------------------------------------------ workflows

  ir::Workflow* w_ = nullptr;
  std::vector<std::vector<ir::NodeId>*> bodies_;
  // The value of each binding of the workflow, by the slot the checker gave it (see
  // ast::kNoSlot): names need no scopes or hashing here.
  std::vector<ir::ValueRef> slots_;

  // A name bound to nothing: the error type (TypeId 0), as a constant.
  const ir::ValueRef& lookup(uint32_t slot) const {
    static const ir::ValueRef kUnbound{};
    return slot < slots_.size() ? slots_[slot] : kUnbound;
  }
  void bind(uint32_t slot, ir::ValueRef v) {
    FLYTEC_CHECK(slot < slots_.size(), "a binding the checker gave no slot");
    slots_[slot] = std::move(v);
  }

  TypeId type_of(const Expr* e) { return sema_.type_of(e); }

  // Room for `more` elements in `v`, growing it by a quarter rather than doubling it: a
  // workflow's nodes and arguments outgrow the guess made from its statements by little
  // (the nodes of a long `return`), and a doubled table would be the peak of `check`.
  template <class T>
  static void make_room(std::vector<T>& v, size_t more) {
    if (v.size() + more > v.capacity())
      v.reserve(std::max(v.size() + more, v.capacity() + v.capacity() / 4));
  }

  ir::ArgRange add_args(std::vector<ir::Arg> args) {
    make_room(w_->args, args.size());
    return w_->add_args(std::move(args));
  }

  ir::NodeId add_node(ir::Node n) {
    ir::NodeId id{static_cast<uint32_t>(w_->nodes.size())};
    make_room(w_->nodes, 1);
    w_->nodes.push_back(std::move(n));
    bodies_.back()->push_back(id);
    return id;
  }

  ir::ValueRef output_of(ir::NodeId id, TypeId t) {
    return {ir::ValueRef::Kind::NodeOutput, id.index, ir::ValueRef::kWhole, t, {}};
  }

  void workflow(const ast::WorkflowDecl* w) {
    ir::Workflow& out = m_->workflows[workflow_ids_.at(w)];
    w_ = &out;
    out.name = qualified(w);
    out.doc = w->doc;
    out.inputs = params(w, w->params);
    out.outputs = outputs(w);
    out.named_outputs = w->outputs && w->outputs->named;
    out.location = location(w->name.range);
    AnnotationValues wv = read_annotations(w->annotations);
    out.interruptible = wv.policy.interruptible.value_or(false);
    if (wv.failure_policy) {
      std::optional<ir::FailurePolicy> p = ir::parse_failure_policy(*wv.failure_policy);
      FLYTEC_CHECK(p.has_value(), "the checker let an unknown failure policy through");
      out.failure_policy = *p;
    }
    slots_.assign(sema_.slot_count(w), ir::ValueRef{});
    // About one node per statement, and an eighth more for the nodes of nested
    // expressions and a long `return`: not growing as it goes saves moving nodes in a
    // workflow of 100,000 statements, and a second table while they move.
    size_t nodes = w->body.size() + w->body.size() / 8 + 16;
    out.nodes.reserve(nodes);
    out.args.reserve(2 * nodes);  // about two arguments per node
    out.top.reserve(w->body.size());
    for (uint32_t i = 0; i < w->params.size(); ++i) {
      bind(
          Semantics::param_slot(i),
          ir::ValueRef{ir::ValueRef::Kind::Input, i, ir::ValueRef::kWhole, out.inputs[i].type, {}});
    }
    bodies_ = {&out.top};
    std::vector<std::pair<ir::NodeId, uint32_t>> afters;  // node, slot of the binding
    for (const ast::Stmt* s : w->body) {
      if (s->kind == ast::Stmt::Kind::Return) {
        ret(s, out);
        continue;
      }
      size_t first_new = out.nodes.size();
      let(s);
      // Call-site annotations apply to the node the `let` made for its value.
      if (out.nodes.size() > first_new && !s->annotations.empty()) {
        ir::NodeId made{static_cast<uint32_t>(out.nodes.size() - 1)};
        if (!s->names.empty()) {
          const ir::ValueRef& v = lookup(sema_.slot_of(s, 0));
          if (v.kind == ir::ValueRef::Kind::NodeOutput) made = ir::NodeId{v.index};
        }
        AnnotationValues sv = read_annotations(s->annotations);
        annotate(out.nodes[made.index], sv);
        for (const ast::NameExpr* after : sv.after) afters.emplace_back(made, sema_.slot_of(after));
      }
    }
    for (const auto& [node, slot] : afters) {
      const ir::ValueRef& v = lookup(slot);
      if (v.kind == ir::ValueRef::Kind::NodeOutput)
        out.nodes[node.index].extras.make().after.push_back({v.index});
    }
    w_ = nullptr;
  }

  void annotate(ir::Node& n, const AnnotationValues& v) {
    if (!v.policy.empty() || v.concurrency || v.min_success)
      n.extras.make().call_site = ir::CallSite{v.policy, v.concurrency, v.min_success};
    // Items may fail: the map's list holds optionals (as the checker typed the binding).
    if (n.kind == ir::Node::Kind::Map && n.min_success() && *n.min_success() < 1.0 &&
        m_->types.kind(n.type) == TypeKind::List) {
      n.type = m_->types.list(m_->types.optional(m_->types.get(n.type).elem));
    }
  }

  void let(const ast::Stmt* s) {
    size_t first_new = w_->nodes.size();
    ir::ValueRef v = value(s->value);
    if (s->names.empty()) return;
    // The node this `let` made for its value carries the binding's name.
    if (v.kind == ir::ValueRef::Kind::NodeOutput && v.index >= first_new && v.path().empty() &&
        w_->nodes[v.index].name.empty()) {
      std::string name;
      for (const ast::Ident& n : s->names) name += (name.empty() ? "" : ", ") + std::string(n.name);
      w_->nodes[v.index].name = name;
    }
    if (!s->destructure) {
      bind(sema_.slot_of(s, 0), std::move(v));
      return;
    }
    const TypeData& d = m_->types.get(v.type);
    for (size_t i = 0; i < s->names.size() && i < d.fields.size(); ++i) {
      ir::ValueRef part = v;
      part.output = static_cast<uint32_t>(i);
      part.type = d.fields[i].type;
      bind(sema_.slot_of(s, i), std::move(part));
    }
  }

  void ret(const ast::Stmt* s, ir::Workflow& out) {
    if (s->value->kind == ExprKind::Tuple) {
      auto* t = static_cast<const ast::TupleExpr*>(s->value);
      for (const ir::Output& o : out.outputs) {
        for (const ast::FieldInit& f : t->fields) {
          if (f.name.name == o.name) out.results.emplace_back(o.name, value(f.value, o.type));
        }
      }
      return;
    }
    if (!out.outputs.empty())
      out.results.emplace_back("o", value(s->value, out.outputs.front().type));
  }

  ir::ValueRef constant(const Expr* e, std::optional<TypeId> expected) {
    return {ir::ValueRef::Kind::Const,
            add_constant(e, expected).index,
            ir::ValueRef::kWhole,
            type_of(e),
            {}};
  }

  ir::ValueRef expr_node(ir::ExprOp op, std::vector<ir::Arg> operands, const Expr* e) {
    ir::Node n;
    n.kind = ir::Node::Kind::Expr;
    n.op = op;
    n.args = add_args(std::move(operands));
    n.type = type_of(e);
    n.location = location(e->range);
    ir::NodeId id = add_node(std::move(n));
    return output_of(id, type_of(e));
  }

  // The value of `e`, given where a value of type `expected` is wanted (a parameter, an
  // output), when that is known: string literals in it may be paths.
  ir::ValueRef value(const Expr* e, std::optional<TypeId> expected = std::nullopt) {
    if (ast::is_constant(e)) return constant(e, expected);
    // What the parts of a list, map or struct are given as.
    std::optional<TypeId> whole = expected ? expected : std::optional<TypeId>(type_of(e));
    if (m_->types.kind(*whole) == TypeKind::Optional) whole = m_->types.get(*whole).elem;
    std::optional<TypeId> elem;
    if (m_->types.kind(*whole) == TypeKind::List || m_->types.kind(*whole) == TypeKind::Map)
      elem = m_->types.get(*whole).elem;
    switch (e->kind) {
      case ExprKind::Name: return lookup(sema_.slot_of(static_cast<const ast::NameExpr*>(e)));
      case ExprKind::Field: {
        auto* f = static_cast<const ast::FieldExpr*>(e);
        ir::ValueRef base = value(f->base);
        // A named output of a call (`prepare(...).train`), else a struct's field.
        const TypeData& record = m_->types.get(base.type);
        uint32_t output = ir::ValueRef::kWhole;
        if (base.kind == ir::ValueRef::Kind::NodeOutput && base.output == ir::ValueRef::kWhole &&
            base.fields.get() == nullptr && record.kind == TypeKind::Outputs) {
          for (uint32_t i = 0; i < record.fields.size(); ++i) {
            if (record.fields[i].name == f->field.name) output = i;
          }
        }
        if (output != ir::ValueRef::kWhole) {
          base.output = output;
        } else {
          base.fields.make().emplace_back(f->field.name);
        }
        base.type = type_of(e);
        return base;
      }
      case ExprKind::Call: return call(static_cast<const ast::CallExpr*>(e));
      case ExprKind::Unary: {
        auto* u = static_cast<const ast::UnaryExpr*>(e);
        return expr_node(u->op == ast::UnaryOp::Neg ? ir::ExprOp::Neg : ir::ExprOp::Not,
                         {{value(u->operand), 0}}, e);
      }
      case ExprKind::Binary: {
        auto* b = static_cast<const ast::BinaryExpr*>(e);
        ir::ValueRef l = value(b->lhs);
        ir::ValueRef r = value(b->rhs);
        return expr_node(binary_op(b->op), {{std::move(l), 0}, {std::move(r), 1}}, e);
      }
      case ExprKind::List: {
        std::vector<ir::Arg> in;
        auto* l = static_cast<const ast::ListExpr*>(e);
        for (uint32_t i = 0; i < l->elements.size(); ++i)
          in.push_back({value(l->elements[i], elem), i});
        return expr_node(ir::ExprOp::ListLit, std::move(in), e);
      }
      case ExprKind::Map: {
        std::vector<ir::Arg> in;
        for (const auto& m : static_cast<const ast::MapExpr*>(e)->entries) {
          ir::ValueRef v = value(m.value, elem);
          w_->keys.emplace_back(m.key->value);
          in.push_back({std::move(v), static_cast<uint32_t>(w_->keys.size() - 1)});
        }
        return expr_node(ir::ExprOp::MapLit, std::move(in), e);
      }
      case ExprKind::Struct: {
        auto* s = static_cast<const ast::StructExpr*>(e);
        std::vector<ir::Arg> in;
        for (const auto& f : s->fields) {
          in.push_back({value(f.value, field_type(type_of(e), f.name.name)),
                        field_index(type_of(e), f.name.name)});
        }
        // The struct is the node's type.
        return expr_node(ir::ExprOp::StructLit, std::move(in), e);
      }
      case ExprKind::If: return branch(static_cast<const ast::IfExpr*>(e), expected);
      case ExprKind::For: return map(static_cast<const ast::ForExpr*>(e));
      case ExprKind::Fail: {
        ir::Node n;
        n.kind = ir::Node::Kind::Fail;
        n.args = add_args({{value(static_cast<const ast::FailExpr*>(e)->message), 0}});
        n.type = m_->types.never();
        n.location = location(e->range);
        return output_of(add_node(std::move(n)), m_->types.never());
      }
      default: return constant(e, expected);
    }
  }

  ir::ValueRef call(const ast::CallExpr* c) {
    const Decl* callee = sema_.callee_of(c);
    FLYTEC_CHECK(callee != nullptr, "a call that resolved to no task or workflow");
    const std::vector<ast::Param>& ps = callee->kind == DeclKind::Task
                                            ? static_cast<const ast::TaskDecl*>(callee)->params
                                            : static_cast<const ast::WorkflowDecl*>(callee)->params;
    ir::Node n;
    n.kind = callee->kind == DeclKind::Task ? ir::Node::Kind::Task : ir::Node::Kind::Subworkflow;
    if (callee->kind == DeclKind::Task) {
      n.task = ir::TaskId{task_ids_.at(callee)};
    } else {
      n.workflow = ir::WorkflowId{workflow_ids_.at(callee)};
    }
    uint32_t positional = 0;
    std::vector<ir::Arg> args;
    args.reserve(c->args.size());
    for (const ast::Arg& a : c->args) {
      uint32_t param = positional;
      if (a.name) {
        param = 0;
        while (param < ps.size() && ps[param].name.name != a.name->name) ++param;
      } else {
        ++positional;
      }
      std::string_view name = param < ps.size() ? ps[param].name.name : std::string_view();
      args.push_back({value(a.value, param_type(callee, ps, name)), param});
    }
    n.args = add_args(std::move(args));
    n.type = type_of(c);
    n.location = location(c->range);
    ir::NodeId id = add_node(std::move(n));
    return output_of(id, type_of(c));
  }

  // The type of `callee`'s parameter `name`, as checked.
  std::optional<TypeId> param_type(const Decl* callee, const std::vector<ast::Param>& ps,
                                   std::string_view name) const {
    auto it = sema_.param_types.find(callee);
    if (it == sema_.param_types.end()) return std::nullopt;
    for (size_t i = 0; i < ps.size() && i < it->second.size(); ++i) {
      if (ps[i].name.name == name) return it->second[i];
    }
    return std::nullopt;
  }

  ir::Body body(const ast::Block* b, std::optional<TypeId> expected = std::nullopt) {
    ir::Body out;
    bodies_.push_back(&out.nodes);
    for (const ast::Stmt* s : b->lets) let(s);
    out.result = value(b->value, expected);
    bodies_.pop_back();
    return out;
  }

  ir::ValueRef branch(const ast::IfExpr* i, std::optional<TypeId> expected) {
    // Conditions are computed before the branch (they are its inputs); the arms' nodes
    // follow it.
    std::vector<ir::ValueRef> conds;
    for (const ast::IfArm& arm : i->arms) conds.push_back(value(arm.cond));
    ir::Node n;
    n.kind = ir::Node::Kind::Branch;
    n.extras.make().conditions = std::move(conds);
    n.type = type_of(i);
    n.location = location(i->range);
    ir::NodeId id = add_node(std::move(n));
    std::vector<ir::Body> arms;
    for (const ast::IfArm& arm : i->arms) arms.push_back(body(arm.body, expected));
    arms.push_back(body(i->else_body, expected));
    w_->nodes[id.index].extras.make().bodies = std::move(arms);
    return output_of(id, type_of(i));
  }

  ir::ValueRef map(const ast::ForExpr* f) {
    ir::ValueRef over = value(f->iterable);
    ir::Node n;
    n.kind = ir::Node::Kind::Map;
    n.args = add_args({{over, 0}});
    n.type = type_of(f);
    n.location = location(f->range);
    ir::NodeId id = add_node(std::move(n));
    TypeId item = m_->types.kind(over.type) == TypeKind::List ? m_->types.get(over.type).elem
                                                              : m_->types.error();
    bind(sema_.slot_of(f),
         ir::ValueRef{ir::ValueRef::Kind::MapItem, id.index, ir::ValueRef::kWhole, item, {}});
    ir::Body b = body(f->body);
    w_->nodes[id.index].extras.make().bodies.push_back(std::move(b));
    return output_of(id, type_of(f));
  }

  void launch(const ast::LaunchDecl* l) {
    if (l->call == nullptr) return;
    const Decl* callee = sema_.callee_of(l->call);
    if (callee == nullptr || callee->kind != DeclKind::Workflow) return;
    ir::Launch out;
    out.name = std::string(l->name.name);
    out.workflow = {workflow_ids_.at(callee)};
    const auto& ps = static_cast<const ast::WorkflowDecl*>(callee)->params;
    size_t positional = 0;
    for (const ast::Arg& a : l->call->args) {
      std::string name =
          a.name ? std::string(a.name->name) : std::string(ps[positional++].name.name);
      if (ast::is_constant(a.value)) {
        ir::ConstId c = add_constant(a.value, param_type(callee, ps, name));
        out.inputs.emplace_back(std::move(name), c);
      }
    }
    out.schedule = read_annotations(l->annotations).schedule.value_or("");
    m_->launches.push_back(std::move(out));
  }

  const Program& program_;
  Semantics& sema_;
  const SourceManager& sm_;
  std::unordered_map<uint32_t, uint32_t> file_index_;  // source manager id -> Module::files
  std::unique_ptr<ir::Module> m_;
  std::unordered_map<const Decl*, uint32_t> task_ids_;
  std::unordered_map<const Decl*, uint32_t> workflow_ids_;
  // The directory of the module being lowered; relative path literals start there.
  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<ir::Module> lower_program(const Program& program, Semantics& sema,
                                          const SourceManager& sm) {
  return Lowerer(program, sema, sm).run();
}

}  // namespace flyte
