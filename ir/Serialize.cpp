// Conversion between the IR and the generated protobuf classes.
#include "ir/Serialize.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "flyte_ir.pb.h"

namespace flyte::ir {
namespace {

namespace pb = flyte::ir::proto;

constexpr int kMaxTypeDepth = 200;  // as the text form's reader

// ------------------------------------------------------------------ writing

void write(const ValueRef& v, pb::ValueRef* out) {
  out->set_kind(static_cast<pb::ValueRef::Kind>(v.kind));
  out->set_index(v.index);
  if (v.output != ValueRef::kWhole) out->set_output(v.output);
  for (const std::string& p : v.path()) out->add_path(p);
  out->set_type(v.type.index);
}

void write(const Value& v, pb::Value* out) {
  switch (v.kind()) {
    case Value::Kind::None: return;
    case Value::Kind::Int: out->set_int_value(v.as_int()); return;
    case Value::Kind::Float: out->set_float_value(v.as_float()); return;
    case Value::Kind::Bool: out->set_bool_value(v.as_bool()); return;
    case Value::Kind::String: out->set_string_value(v.text()); return;
    case Value::Kind::Duration: out->set_duration_s(v.as_float()); return;
    case Value::Kind::Size: out->set_size_bytes(v.as_int()); return;
    case Value::Kind::File: out->set_file(v.text()); return;
    case Value::Kind::Dir: out->set_dir(v.text()); return;
    case Value::Kind::List: {
      pb::ValueList* l = out->mutable_list();
      for (const Value& x : v.items()) write(x, l->add_items());
      return;
    }
    case Value::Kind::Map: {
      pb::ValueMap* m = out->mutable_map();
      for (size_t i = 0; i < v.items().size(); ++i) {
        pb::ValueEntry* e = m->add_entries();
        e->set_key(v.keys()[i]);
        write(v.items()[i], e->mutable_value());
      }
      return;
    }
    case Value::Kind::Struct: {
      pb::StructValue* st = out->mutable_struct_value();
      st->set_name(v.text());
      for (size_t i = 0; i < v.items().size(); ++i) {
        pb::ValueEntry* e = st->add_fields();
        e->set_key(v.keys()[i]);
        write(v.items()[i], e->mutable_value());
      }
      return;
    }
    case Value::Kind::Enum:
      out->mutable_enum_value()->set_name(v.text());
      out->mutable_enum_value()->set_member(v.member());
      return;
  }
}

// Writes a range only where there is one: an absent message means no source.
template <class Proto>
void write_location(const SourceRange& r, Proto* out) {
  if (!r.valid()) return;
  pb::SourceRange* q = out->mutable_location();
  q->set_file(r.file);
  q->set_begin(r.begin);
  q->set_end(r.end);
}

void write(const Policy& p, pb::Policy* out) {
  if (p.retries) out->set_retries(*p.retries);
  if (p.timeout_s) out->set_timeout_s(*p.timeout_s);
  if (p.interruptible) out->set_interruptible(*p.interruptible);
  if (p.cpu) out->set_cpu(*p.cpu);
  if (p.mem_bytes) out->set_mem_bytes(*p.mem_bytes);
  if (p.gpu) out->set_gpu(*p.gpu);
  if (p.disk_bytes) out->set_disk_bytes(*p.disk_bytes);
  out->set_accelerator(p.accelerator);
  out->set_device(p.device);
}

template <class Proto>
void write_interface(const std::vector<Param>& in, const std::vector<Output>& outs, Proto* out) {
  for (const Param& p : in) {
    pb::Param* q = out->add_inputs();
    q->set_name(p.name);
    q->set_type(p.type.index);
    if (p.default_value) q->set_default_value(p.default_value->index);
  }
  for (const Output& o : outs) {
    pb::Output* q = out->add_outputs();
    q->set_name(o.name);
    q->set_type(o.type.index);
  }
}

pb::Module to_proto(const Module& m) {
  pb::Module out;
  out.set_format_version(kPlanFormatVersion);
  out.set_name(m.name);
  for (const std::string& f : m.files) out.add_files(f);
  for (size_t i = 0; i < m.types.count(); ++i) {
    const TypeData& t = m.types.get(TypeId{static_cast<uint32_t>(i)});
    pb::Type* q = out.add_types();
    q->set_kind(static_cast<pb::Type::Kind>(t.kind));
    q->set_elem(t.elem.index);
    q->set_name(t.name);
    for (const FieldType& f : t.fields) {
      pb::Field* fq = q->add_fields();
      fq->set_name(f.name);
      fq->set_type(f.type.index);
    }
    for (const std::string& member : t.members) q->add_members(member);
    if (t.kind == TypeKind::Tensor) {
      pb::Tensor* tq = q->mutable_tensor();
      tq->set_dtype(t.tensor.dtype);
      tq->set_dtype_is_var(t.tensor.dtype_is_var);
      tq->set_shape(t.tensor.shape == TensorSpec::Shape::AnyRank ? pb::Tensor::ANY_RANK
                    : t.tensor.shape == TensorSpec::Shape::Dims  ? pb::Tensor::DIMS
                                                                 : pb::Tensor::SHAPE_VAR);
      for (const DimSpec& d : t.tensor.dims) {
        pb::Dim* dq = tq->add_dims();
        dq->set_kind(d.kind == DimSpec::Kind::Literal ? pb::Dim::LITERAL
                     : d.kind == DimSpec::Kind::Var   ? pb::Dim::VAR
                                                      : pb::Dim::UNKNOWN);
        dq->set_value(d.value);
        dq->set_var(d.var);
      }
      tq->set_shape_var(t.tensor.shape_var);
    }
  }
  for (const Constant& c : m.constants) {
    pb::Constant* q = out.add_constants();
    q->set_type(c.type.index);
    write(c.value, q->mutable_value());
  }
  for (const Task& t : m.tasks) {
    pb::Task* q = out.add_tasks();
    q->set_name(t.name);
    q->set_doc(t.doc);
    write_interface(t.inputs, t.outputs, q);
    q->set_named_outputs(t.named_outputs);
    if (const auto* shell = std::get_if<Runner::Shell>(&t.runner.body)) {
      q->mutable_shell()->set_command(shell->command);
    } else if (const auto* cpp = std::get_if<Runner::Cpp>(&t.runner.body)) {
      pb::CppRunner* c = q->mutable_cpp();
      c->set_file(cpp->file);
      c->set_symbol(cpp->symbol);
      c->set_source_hash(cpp->source_hash);
    } else {
      q->mutable_builtin()->set_kernel(std::get<Runner::Builtin>(t.runner.body).kernel);
    }
    write(t.policy, q->mutable_policy());
    q->set_cache(t.cache);
    q->set_cache_version(t.cache_version);
    for (const std::string& s : t.cache_ignore) q->add_cache_ignore(s);
    if (t.checkpoint_every_s) q->set_checkpoint_every_s(*t.checkpoint_every_s);
    q->set_image(t.image);
    for (const auto& [k, v] : t.env) {
      pb::EnvVar* e = q->add_env();
      e->set_key(k);
      e->set_value(v);
    }
    for (const std::string& s : t.secrets) q->add_secrets(s);
    write_location(t.location, q);
    q->set_fingerprint(t.fingerprint);
  }
  for (const Workflow& w : m.workflows) {
    pb::Workflow* q = out.add_workflows();
    q->set_name(w.name);
    q->set_doc(w.doc);
    write_interface(w.inputs, w.outputs, q);
    q->set_named_outputs(w.named_outputs);
    for (const std::string& k : w.keys) q->add_keys(k);
    for (const Node& n : w.nodes) {
      pb::Node* nq = q->add_nodes();
      nq->set_kind(static_cast<pb::Node::Kind>(n.kind));
      nq->set_name(n.name);
      if (n.kind == Node::Kind::Task) nq->set_callee(n.task.index);
      if (n.kind == Node::Kind::Subworkflow) nq->set_callee(n.workflow.index);
      for (const Arg& a : w.args_of(n)) {
        pb::Arg* aq = nq->add_args();
        aq->set_param(a.param);
        write(a.value, aq->mutable_value());
      }
      if (n.kind == Node::Kind::Expr) nq->set_op(std::string(spelling(n.op)));
      for (NodeId a : n.after()) nq->add_after(a.index);
      write(n.overrides(), nq->mutable_overrides());
      for (const ValueRef& c : n.conditions()) write(c, nq->add_conditions());
      for (const Body& b : n.bodies()) {
        pb::Body* bq = nq->add_bodies();
        for (NodeId id : b.nodes) bq->add_nodes(id.index);
        write(b.result, bq->mutable_result());
      }
      if (n.concurrency()) nq->set_concurrency(*n.concurrency());
      if (n.min_success()) nq->set_min_success(*n.min_success());
      if (const Attributes* a = n.resolved.get()) {
        pb::Attributes* r = nq->mutable_resolved();
        r->set_cpu(a->cpu);
        r->set_mem_bytes(a->mem_bytes);
        r->set_gpu(a->gpu);
        r->set_disk_bytes(a->disk_bytes);
        r->set_accelerator(a->accelerator);
        r->set_retries(a->retries);
        if (a->timeout_s) r->set_timeout_s(*a->timeout_s);
        r->set_interruptible(a->interruptible);
        r->set_device(a->device);
        if (a->checkpoint_every_s) r->set_checkpoint_every_s(*a->checkpoint_every_s);
        r->set_placement(static_cast<pb::Attributes::Placement>(a->placement));
        if (a->stage) r->set_stage(*a->stage);
      }
      nq->set_type(n.type.index);
      write_location(n.location, nq);
    }
    for (NodeId id : w.top) q->add_top(id.index);
    for (const auto& [name, v] : w.results) {
      pb::Input* in = q->add_results();
      in->set_name(name);
      write(v, in->mutable_value());
    }
    q->set_failure_policy(std::string(spelling(w.failure_policy)));
    q->set_interruptible(w.interruptible);
    write_location(w.location, q);
  }
  for (const Launch& l : m.launches) {
    pb::Launch* q = out.add_launches();
    q->set_name(l.name);
    q->set_workflow(l.workflow.index);
    for (const auto& [name, c] : l.inputs) {
      pb::LaunchInput* in = q->add_inputs();
      in->set_name(name);
      in->set_constant(c.index);
    }
    q->set_schedule(l.schedule);
  }
  return out;
}

// ------------------------------------------------------------------ reading

class Reader {
 public:
  explicit Reader(std::string& error) : error_(error) {}

  std::unique_ptr<Module> run(const pb::Module& in) {
    auto m = std::make_unique<Module>();
    m->name = in.name();
    m->files.assign(in.files().begin(), in.files().end());
    nfiles_ = m->files.size();
    if (!types(in, m->types)) return nullptr;
    ntypes_ = m->types.count();
    for (const pb::Constant& c : in.constants())
      m->constants.push_back({type(c.type()), value(c.value())});
    for (const pb::Task& t : in.tasks()) {
      Task out;
      out.name = t.name();
      out.doc = t.doc();
      interface(t, out.inputs, out.outputs);
      out.named_outputs = t.named_outputs();
      switch (t.runner_case()) {
        case pb::Task::kShell: out.runner.body = Runner::Shell{t.shell().command()}; break;
        case pb::Task::kCpp:
          out.runner.body = Runner::Cpp{t.cpp().file(), t.cpp().symbol(), t.cpp().source_hash()};
          break;
        case pb::Task::kBuiltin: out.runner.body = Runner::Builtin{t.builtin().kernel()}; break;
        default: return fail("task '" + t.name() + "' has no runner");
      }
      out.policy = policy(t.policy());
      out.cache = t.cache();
      out.cache_version = t.cache_version();
      out.cache_ignore.assign(t.cache_ignore().begin(), t.cache_ignore().end());
      if (t.has_checkpoint_every_s()) out.checkpoint_every_s = t.checkpoint_every_s();
      out.image = t.image();
      for (const pb::EnvVar& e : t.env()) out.env.emplace_back(e.key(), e.value());
      out.secrets.assign(t.secrets().begin(), t.secrets().end());
      out.location = location(t);
      out.fingerprint = t.fingerprint();
      m->tasks.push_back(std::move(out));
    }
    for (const pb::Workflow& w : in.workflows()) {
      Workflow out;
      out.name = w.name();
      out.doc = w.doc();
      interface(w, out.inputs, out.outputs);
      out.named_outputs = w.named_outputs();
      out.nodes.reserve(static_cast<size_t>(w.nodes_size()));
      out.keys.assign(w.keys().begin(), w.keys().end());
      for (const pb::Node& n : w.nodes()) {
        Node& node = out.nodes.emplace_back();
        if (n.kind() > pb::Node::FAIL) return fail("unknown node kind");
        node.kind = static_cast<Node::Kind>(n.kind());
        node.name = n.name();
        if (node.kind == Node::Kind::Task) node.task = TaskId{n.callee()};
        if (node.kind == Node::Kind::Subworkflow) node.workflow = WorkflowId{n.callee()};
        node.args = {static_cast<uint32_t>(out.args.size()), static_cast<uint32_t>(n.args_size())};
        for (const pb::Arg& a : n.args()) out.args.push_back({value(a.value()), a.param()});
        if (node.kind == Node::Kind::Expr) {
          std::optional<ExprOp> op = parse_expr_op(n.op());
          if (!op) return fail("unknown operator '" + n.op() + "'");
          node.op = *op;
        }
        for (uint32_t a : n.after()) node.extras.make().after.push_back({a});
        if (Policy p = policy(n.overrides()); !p.empty())
          node.extras.make().call_site.overrides = p;
        for (const pb::ValueRef& c : n.conditions())
          node.extras.make().conditions.push_back(value(c));
        for (const pb::Body& b : n.bodies()) {
          Body body;
          for (uint32_t id : b.nodes()) body.nodes.push_back({id});
          body.result = value(b.result());
          node.extras.make().bodies.push_back(std::move(body));
        }
        if (n.has_concurrency()) node.extras.make().call_site.concurrency = n.concurrency();
        if (n.has_min_success()) node.extras.make().call_site.min_success = n.min_success();
        if (n.has_resolved()) {
          const pb::Attributes& r = n.resolved();
          Attributes& a = node.resolved.make();
          a.cpu = r.cpu();
          a.mem_bytes = r.mem_bytes();
          a.gpu = r.gpu();
          a.disk_bytes = r.disk_bytes();
          a.accelerator = r.accelerator();
          a.retries = r.retries();
          if (r.has_timeout_s()) a.timeout_s = r.timeout_s();
          a.interruptible = r.interruptible();
          a.device = r.device();
          if (r.has_checkpoint_every_s()) a.checkpoint_every_s = r.checkpoint_every_s();
          if (r.placement() == pb::Attributes::GPU) a.placement = Placement::Gpu;
          if (r.placement() == pb::Attributes::CPU) a.placement = Placement::Cpu;
          if (r.has_stage()) a.stage = r.stage();
        }
        node.type = type(n.type());
        node.location = location(n);
      }
      for (uint32_t id : w.top()) out.top.push_back({id});
      for (const pb::Input& r : w.results()) out.results.emplace_back(r.name(), value(r.value()));
      std::optional<FailurePolicy> policy = parse_failure_policy(w.failure_policy());
      if (!policy) return fail("unknown failure policy '" + w.failure_policy() + "'");
      out.failure_policy = *policy;
      out.interruptible = w.interruptible();
      out.location = location(w);
      m->workflows.push_back(std::move(out));
    }
    for (const pb::Launch& l : in.launches()) {
      Launch out{l.name(), {l.workflow()}, {}, l.schedule()};
      for (const pb::LaunchInput& i : l.inputs())
        out.inputs.emplace_back(i.name(), ConstId{i.constant()});
      m->launches.push_back(std::move(out));
    }
    if (!error_.empty()) return nullptr;
    return m;
  }

 private:
  // A constant's value; protobuf's own nesting limit bounds its depth.
  static Value value(const pb::Value& v) {
    auto entries = [](const auto& in, std::vector<std::string>& keys, std::vector<Value>& values) {
      for (const pb::ValueEntry& e : in) {
        keys.push_back(e.key());
        values.push_back(value(e.value()));
      }
    };
    std::vector<std::string> keys;
    std::vector<Value> values;
    switch (v.kind_case()) {
      case pb::Value::kIntValue: return Value::int_(v.int_value());
      case pb::Value::kFloatValue: return Value::float_(v.float_value());
      case pb::Value::kBoolValue: return Value::bool_(v.bool_value());
      case pb::Value::kStringValue: return Value::string(v.string_value());
      case pb::Value::kDurationS: return Value::duration(v.duration_s());
      case pb::Value::kSizeBytes: return Value::size(v.size_bytes());
      case pb::Value::kFile: return Value::file(v.file());
      case pb::Value::kDir: return Value::dir(v.dir());
      case pb::Value::kList:
        for (const pb::Value& x : v.list().items()) values.push_back(value(x));
        return Value::list(std::move(values));
      case pb::Value::kMap:
        entries(v.map().entries(), keys, values);
        return Value::map(std::move(keys), std::move(values));
      case pb::Value::kStructValue:
        entries(v.struct_value().fields(), keys, values);
        return Value::struct_(v.struct_value().name(), std::move(keys), std::move(values));
      case pb::Value::kEnumValue:
        return Value::enum_(v.enum_value().name(), v.enum_value().member());
      case pb::Value::KIND_NOT_SET: break;
    }
    return Value::none();
  }

  std::nullptr_t fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return nullptr;
  }

  // A source range; one naming no file of the table is reported.
  template <class Proto>
  SourceRange location(const Proto& in) {
    if (!in.has_location()) return {};
    const pb::SourceRange& r = in.location();
    if (r.file() >= nfiles_ || r.begin() > r.end()) {
      fail("source range names file " + std::to_string(r.file()) + " of " +
           std::to_string(nfiles_) + ", or ends before it begins");
      return {};
    }
    return {r.file(), r.begin(), r.end()};
  }

  // A type id from the file; out-of-range ids become the error type (and are reported).
  TypeId type(uint32_t id) {
    if (id >= ntypes_) {
      fail("type id " + std::to_string(id) + " is out of range");
      return TypeId{0};
    }
    return TypeId{id};
  }

  // Rebuilds the type table in id order; each type must intern to its own id.
  bool types(const pb::Module& in, TypeTable& table) {
    size_t builtin = table.count();
    if (static_cast<size_t>(in.types_size()) < builtin)
      return fail("the type table is truncated"), false;
    // How deeply each type nests: printing and comparing types recurse, so a plan may
    // not nest them deeper than source text can (the text form's limit, too).
    std::vector<int> depth(static_cast<size_t>(in.types_size()), 0);
    for (int i = 0; i < in.types_size(); ++i) {
      const pb::Type& t = in.types(i);
      auto expect = static_cast<uint32_t>(i);
      if (static_cast<size_t>(i) < builtin) {
        if (static_cast<int>(table.kind(TypeId{expect})) != t.kind())
          return fail("the built-in types differ"), false;
        continue;
      }
      if (t.elem() < expect) depth[i] = depth[t.elem()] + 1;
      for (const pb::Field& f : t.fields()) {
        if (f.type() < expect) depth[i] = std::max(depth[i], depth[f.type()] + 1);
      }
      if (depth[i] > kMaxTypeDepth)
        return fail("type " + std::to_string(i) + " is nested more than " +
                    std::to_string(kMaxTypeDepth) + " levels deep"),
               false;
      if (t.elem() >= expect && (t.kind() == pb::Type::LIST || t.kind() == pb::Type::MAP ||
                                 t.kind() == pb::Type::OPTIONAL)) {
        return fail("type " + std::to_string(i) + " refers to a later type"), false;
      }
      TypeId got;
      switch (t.kind()) {
        case pb::Type::LIST: got = table.list(TypeId{t.elem()}); break;
        case pb::Type::MAP: got = table.map(TypeId{t.elem()}); break;
        case pb::Type::OPTIONAL: got = table.optional(TypeId{t.elem()}); break;
        case pb::Type::STRUCT:
        case pb::Type::ENUM:
          // Each declared type is its own, even where two share a name.
          got = table.declare(t.kind() == pb::Type::STRUCT ? TypeKind::Struct : TypeKind::Enum,
                              t.name());
          break;
        case pb::Type::OUTPUTS: {
          std::vector<FieldType> fields;
          for (const pb::Field& f : t.fields()) {
            if (f.type() >= expect)
              return fail("type " + std::to_string(i) + " refers to a later type"), false;
            fields.push_back({f.name(), TypeId{f.type()}});
          }
          got = table.outputs(std::move(fields));
          break;
        }
        case pb::Type::TENSOR: {
          TensorSpec s;
          s.dtype = t.tensor().dtype();
          s.dtype_is_var = t.tensor().dtype_is_var();
          s.shape = t.tensor().shape() == pb::Tensor::DIMS        ? TensorSpec::Shape::Dims
                    : t.tensor().shape() == pb::Tensor::SHAPE_VAR ? TensorSpec::Shape::Var
                                                                  : TensorSpec::Shape::AnyRank;
          for (const pb::Dim& d : t.tensor().dims()) {
            DimSpec ds;
            ds.kind = d.kind() == pb::Dim::LITERAL ? DimSpec::Kind::Literal
                      : d.kind() == pb::Dim::VAR   ? DimSpec::Kind::Var
                                                   : DimSpec::Kind::Unknown;
            ds.value = d.value();
            ds.var = d.var();
            s.dims.push_back(ds);
          }
          s.shape_var = t.tensor().shape_var();
          got = table.tensor(std::move(s));
          break;
        }
        default: return fail("type " + std::to_string(i) + " has a bad kind"), false;
      }
      if (got.index != expect) return fail("type " + std::to_string(i) + " is a duplicate"), false;
    }
    // Struct fields and enum members once every type exists: a field may name a struct
    // declared after its own.
    for (int i = 0; i < in.types_size(); ++i) {
      const pb::Type& t = in.types(i);
      TypeId id{static_cast<uint32_t>(i)};
      if (t.kind() == pb::Type::STRUCT) {
        std::vector<FieldType> fields;
        for (const pb::Field& f : t.fields()) {
          if (f.type() >= table.count())
            return fail("a field of type " + std::to_string(i) + " is out of range"), false;
          fields.push_back({f.name(), TypeId{f.type()}});
        }
        table.define_struct(id, std::move(fields));
      } else if (t.kind() == pb::Type::ENUM) {
        table.define_enum(id, {t.members().begin(), t.members().end()});
      }
    }
    return true;
  }

  ValueRef value(const pb::ValueRef& v) {
    ValueRef out;
    if (v.kind() > pb::ValueRef::MAP_ITEM) fail("unknown value kind");
    out.kind = static_cast<ValueRef::Kind>(v.kind() > pb::ValueRef::MAP_ITEM ? 0 : v.kind());
    out.index = v.index();
    if (v.has_output()) out.output = v.output();
    if (v.path_size() > 0) out.fields.make().assign(v.path().begin(), v.path().end());
    out.type = type(v.type());
    return out;
  }

  Policy policy(const pb::Policy& p) {
    Policy out;
    if (p.has_retries()) out.retries = p.retries();
    if (p.has_timeout_s()) out.timeout_s = p.timeout_s();
    if (p.has_interruptible()) out.interruptible = p.interruptible();
    if (p.has_cpu()) out.cpu = p.cpu();
    if (p.has_mem_bytes()) out.mem_bytes = p.mem_bytes();
    if (p.has_gpu()) out.gpu = p.gpu();
    if (p.has_disk_bytes()) out.disk_bytes = p.disk_bytes();
    out.accelerator = p.accelerator();
    out.device = p.device();
    return out;
  }

  template <class Proto>
  void interface(const Proto& in, std::vector<Param>& params, std::vector<Output>& outs) {
    for (const pb::Param& p : in.inputs()) {
      Param q{p.name(), type(p.type()), std::nullopt};
      if (p.has_default_value()) q.default_value = ConstId{p.default_value()};
      params.push_back(q);
    }
    for (const pb::Output& o : in.outputs()) outs.push_back({o.name(), type(o.type())});
  }

  std::string& error_;
  size_t nfiles_ = 0;
  size_t ntypes_ = 0;
};

}  // namespace

std::string to_protobuf(const Module& m) {
  pb::Module proto = to_proto(m);
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string to_json(const Module& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(to_proto(m), &out, options);
  return out;
}

namespace {

// What libprotobuf logs while a plan is parsed (invalid UTF-8 in a string field, say),
// kept for the error message instead of printed on stderr as a raw `[libprotobuf ERROR]`.
std::string* g_parse_log = nullptr;

void keep_parse_log(google::protobuf::LogLevel, const char*, int, const std::string& message) {
  if (g_parse_log != nullptr && g_parse_log->empty()) *g_parse_log = message;
}

}  // namespace

std::unique_ptr<Module> from_protobuf(std::string_view bytes, std::string& error) {
  // One arena for the whole message: a plan has several small messages per node, and
  // allocating (and freeing) each on its own dominated loading large plans.
  google::protobuf::ArenaOptions options;
  options.start_block_size = size_t{64} * 1024;
  options.max_block_size = size_t{8} * 1024 * 1024;
  google::protobuf::Arena arena(options);
  auto* proto = google::protobuf::Arena::CreateMessage<pb::Module>(&arena);
  std::string log;
  g_parse_log = &log;
  google::protobuf::LogHandler* previous = google::protobuf::SetLogHandler(keep_parse_log);
  bool parsed = bytes.size() <= static_cast<size_t>(INT32_MAX) &&
                proto->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::SetLogHandler(previous);
  g_parse_log = nullptr;
  if (!parsed) {
    error = "not a flytec IR protobuf (flyte.ir.proto.Module)";
    if (!log.empty()) error += ": " + log.substr(0, log.find(". Use the"));
    return nullptr;
  }
  if (proto->format_version() != kPlanFormatVersion) {
    error = proto->format_version() < kPlanFormatVersion
                ? "the plan was written by an older flytec (plan format " +
                      std::to_string(proto->format_version()) + ", this flytec reads " +
                      std::to_string(kPlanFormatVersion) + "); compile it again from its sources"
                : "the plan was written by a newer flytec (plan format " +
                      std::to_string(proto->format_version()) + ", this flytec reads " +
                      std::to_string(kPlanFormatVersion) + ")";
    return nullptr;
  }
  return Reader(error).run(*proto);
}

}  // namespace flyte::ir
