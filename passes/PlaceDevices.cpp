// The place-devices pass: shapes known at compile time, the cost model, and stages.
#include "passes/PlaceDevices.h"

#include <algorithm>
#include <array>
#include <functional>
#include <span>
#include <string>

#include "ir/Dependencies.h"

namespace flyte::passes {

double cpu_seconds(const KernelCost& c, const DeviceModel& m) {
  return std::max(c.flops / m.cpu_flops, (c.bytes_in + c.bytes_out) / m.cpu_bytes_per_s);
}

double gpu_seconds(const KernelCost& c, double inputs_on_host, const DeviceModel& m) {
  double compute = std::max(c.flops / m.gpu_flops, (c.bytes_in + c.bytes_out) / m.gpu_bytes_per_s);
  return m.gpu_launch_s + compute + (inputs_on_host + c.bytes_out) / m.pcie_bytes_per_s;
}

namespace {

// The kernels of backends/local/cuda (backends/local/runtime/gpu/Gpu.cpp dispatches the
// same names).
constexpr std::array<std::string_view, 24> kGpuKernels = {
    "ml.accuracy",   "ml.kmeans",    "ml.predict",       "ml.softmax_regression", "tensor.add",
    "tensor.argmax", "tensor.div",   "tensor.exp",       "tensor.full",           "tensor.log",
    "tensor.matmul", "tensor.mean",  "tensor.mul",       "tensor.one_hot",        "tensor.random",
    "tensor.relu",   "tensor.scale", "tensor.sigmoid",   "tensor.softmax",        "tensor.sub",
    "tensor.sum",    "tensor.tanh",  "tensor.transpose", "tensor.zeros",
};

using Shape = std::vector<int64_t>;

// What is known at compile time of one value: an int, a list of ints, a tensor's shape.
struct Known {
  std::optional<int64_t> integer;
  std::optional<Shape> ints;   // a List<int>
  std::optional<Shape> shape;  // a tensor
  double elem_bytes = 4;
};

double numel(const Shape& s) {
  double n = 1;
  for (int64_t d : s) n *= static_cast<double>(d);
  return n;
}

double tensor_bytes(const Known& k) { return k.shape ? numel(*k.shape) * k.elem_bytes : 0; }

double dtype_bytes(const std::string& dtype) {
  if (dtype == "f16" || dtype == "bf16") return 2;
  if (dtype == "f64" || dtype == "i64") return 8;
  if (dtype == "i8" || dtype == "u8" || dtype == "bool") return 1;
  return 4;  // f32, i32, and a dtype variable
}

class Placer {
 public:
  Placer(const ir::Module& m, ir::Workflow& w, const DeviceModel& model)
      : m_(m), w_(w), model_(model), known_(w.nodes.size()) {}

  struct Counts {
    uint64_t gpu = 0, cpu = 0, hinted = 0, unknown = 0, stages = 0;
  };

  Counts run() {
    ir::Dependencies deps = ir::build_dependencies(w_);
    ir::DependencyOrder order = ir::order_dependencies(deps);
    if (!order.cycle.empty()) return counts_;  // validate-dag reported it
    containers();
    std::vector<std::optional<uint32_t>> stage(w_.nodes.size());  // before renumbering
    // For each node, the stages it waits for, directly or through other nodes; for each
    // stage, the stages its nodes wait for.
    std::vector<std::vector<uint32_t>> below(w_.nodes.size());
    std::vector<std::vector<uint32_t>> stage_below;
    for (uint32_t id : order.order) {
      ir::Node& n = w_.nodes[id];
      for (uint32_t p : deps.waits_for(id)) {
        for (uint32_t s : below[p]) add(below[id], s);
        if (stage[p]) add(below[id], *stage[p]);
      }
      if (n.kind != ir::Node::Kind::Task) {
        shapes_from_type(id);
        continue;
      }
      ir::Placement where = place(id);
      if (where == ir::Placement::None) continue;
      ir::Attributes& a = n.resolved.make();
      a.placement = where;
      a.stage.reset();
      if (where != ir::Placement::Gpu) continue;
      // Join the stages of its GPU producers in the same body, as long as each stage
      // stays convex: a stage runs as one unit, so no node outside it may both wait for
      // it and be waited for by it.
      auto waits_for_stage = [&](uint32_t q, uint32_t s) {
        return std::any_of(below[q].begin(), below[q].end(),
                           [&](uint32_t x) { return find(x) == s; });
      };
      std::optional<uint32_t> chosen;
      for (const ir::Arg& arg : w_.args_of(n)) {
        const ir::ValueRef& v = arg.value;
        if (v.kind != ir::ValueRef::Kind::NodeOutput || v.index >= w_.nodes.size()) continue;
        if (!stage[v.index] || container_[v.index] != container_[id]) continue;
        uint32_t s = find(*stage[v.index]);
        if (chosen == s) continue;
        bool convex = true;
        for (uint32_t q : deps.waits_for(id)) {
          std::optional<uint32_t> qs;
          if (stage[q]) qs = find(*stage[q]);
          if (qs == s || (chosen && qs == *chosen)) continue;
          if (waits_for_stage(q, s) || (chosen && waits_for_stage(q, *chosen))) convex = false;
        }
        if (chosen) {
          auto under = [&](uint32_t a_stage, uint32_t b_stage) {
            const std::vector<uint32_t>& b = stage_below[b_stage];
            return std::any_of(b.begin(), b.end(), [&](uint32_t x) { return find(x) == a_stage; });
          };
          if (under(s, *chosen) || under(*chosen, s)) convex = false;
        }
        if (!convex) continue;
        if (!chosen) {
          chosen = s;
        } else {
          parent_[s] = *chosen;
          for (uint32_t x : stage_below[s]) add(stage_below[*chosen], x);
        }
      }
      if (!chosen) {
        chosen = static_cast<uint32_t>(parent_.size());
        parent_.push_back(*chosen);
        stage_below.emplace_back();
      }
      stage[id] = chosen;
      for (uint32_t x : below[id]) add(stage_below[*chosen], x);
    }
    // Stages numbered from 0 in the order their first node runs.
    std::vector<uint32_t> number(parent_.size(), UINT32_MAX);
    for (uint32_t id : order.order) {
      if (!stage[id]) continue;
      uint32_t root = find(*stage[id]);
      if (number[root] == UINT32_MAX) number[root] = static_cast<uint32_t>(counts_.stages++);
      w_.nodes[id].resolved.make().stage = number[root];
    }
    return counts_;
  }

 private:
  uint32_t find(uint32_t s) {
    while (parent_[s] != s) s = parent_[s] = parent_[parent_[s]];
    return s;
  }

  static void add(std::vector<uint32_t>& set, uint32_t s) {
    if (std::find(set.begin(), set.end(), s) == set.end()) set.push_back(s);
  }

  // Which body each node belongs to: 0 for the workflow's own, then one per body.
  void containers() {
    container_.assign(w_.nodes.size(), 0);
    uint32_t next = 1;
    for (const ir::Node& n : w_.nodes) {
      for (const ir::Body& b : n.bodies()) {
        for (ir::NodeId inner : b.nodes) {
          if (inner.index < container_.size()) container_[inner.index] = next;
        }
        ++next;
      }
    }
  }

  // A tensor type with every dimension a literal: its shape.
  void from_type(TypeId t, Known& k) const {
    const TypeData& d = m_.types.get(t);
    if (d.kind != TypeKind::Tensor) return;
    k.elem_bytes = dtype_bytes(d.tensor.dtype);
    if (k.shape || d.tensor.shape != TensorSpec::Shape::Dims) return;
    Shape s;
    for (const DimSpec& dim : d.tensor.dims) {
      if (dim.kind != DimSpec::Kind::Literal) return;
      s.push_back(dim.value);
    }
    k.shape = std::move(s);
  }

  static void from_value(const ir::Value& v, Known& k) {
    if (v.kind() == ir::Value::Kind::Int) k.integer = v.as_int();
    if (v.kind() != ir::Value::Kind::List) return;
    Shape s;
    for (const ir::Value& item : v.items()) {
      if (item.kind() != ir::Value::Kind::Int) return;
      s.push_back(item.as_int());
    }
    k.ints = std::move(s);
  }

  // What is known of a value a node reads. A workflow input counts as its default value.
  Known known(const ir::ValueRef& v) const {
    Known k;
    if (v.path().empty()) {
      switch (v.kind) {
        case ir::ValueRef::Kind::Const:
          if (v.index < m_.constants.size()) from_value(m_.constants[v.index].value, k);
          break;
        case ir::ValueRef::Kind::Input:
          if (v.index < w_.inputs.size() && w_.inputs[v.index].default_value)
            from_value(m_.constants[w_.inputs[v.index].default_value->index].value, k);
          break;
        case ir::ValueRef::Kind::NodeOutput: {
          if (v.index >= known_.size()) break;
          const std::vector<Known>& outs = known_[v.index];
          uint32_t i = v.output == ir::ValueRef::kWhole ? 0 : v.output;
          if (i < outs.size()) k = outs[i];
          break;
        }
        case ir::ValueRef::Kind::MapItem: break;
      }
    }
    from_type(v.type, k);
    return k;
  }

  // Shapes of a node that is not a tensor task, from its declared type.
  void shapes_from_type(uint32_t id) {
    known_[id].resize(1);
    from_type(w_.nodes[id].type, known_[id][0]);
  }

  // The cost of tensor task `id` calling kernel `kernel`, and its outputs' shapes; none
  // when a shape it needs is unknown.
  std::optional<KernelCost> cost(uint32_t id, std::string_view kernel) {
    const ir::Node& n = w_.nodes[id];
    const ir::Task& t = m_.tasks[n.task.index];
    std::vector<Known> in(t.inputs.size());
    for (size_t p = 0; p < t.inputs.size(); ++p) {
      if (t.inputs[p].default_value)
        from_value(m_.constants[t.inputs[p].default_value->index].value, in[p]);
    }
    for (const ir::Arg& a : w_.args_of(n)) {
      if (a.param < in.size()) in[a.param] = known(a.value);
    }
    std::vector<Known>& out = known_[id];
    out.assign(std::max<size_t>(t.outputs.size(), 1), Known{});
    for (size_t i = 0; i < t.outputs.size(); ++i) from_type(t.outputs[i].type, out[i]);
    KernelCost c;
    for (const Known& k : in) c.bytes_in += tensor_bytes(k);
    auto shaped = [&](Shape s, double elem_bytes = 4) {
      out[0].shape = std::move(s);
      out[0].elem_bytes = elem_bytes;
      c.bytes_out = tensor_bytes(out[0]);
      return c;
    };
    auto need = [&](std::initializer_list<size_t> params, size_t rank) {
      return std::all_of(params.begin(), params.end(), [&](size_t p) {
        return p < in.size() && in[p].shape && (rank == 0 || in[p].shape->size() == rank);
      });
    };
    auto dim = [&](size_t p, size_t d) { return (*in[p].shape)[d]; };
    const std::string_view k = kernel;
    if (k == "tensor.full" || k == "tensor.zeros" || k == "tensor.random") {
      if (in.empty() || !in[0].ints) return std::nullopt;
      c.flops = numel(*in[0].ints) * (k == "tensor.random" ? 20 : 1);
      return shaped(*in[0].ints);
    }
    if (k == "tensor.matmul") {
      if (!need({0, 1}, 2)) return std::nullopt;
      c.flops = 2.0 * static_cast<double>(dim(0, 0)) * static_cast<double>(dim(0, 1)) *
                static_cast<double>(dim(1, 1));
      return shaped({dim(0, 0), dim(1, 1)}, in[0].elem_bytes);
    }
    if (k == "tensor.add" || k == "tensor.sub" || k == "tensor.mul" || k == "tensor.div" ||
        k == "tensor.scale" || k == "tensor.relu") {
      if (!need({0}, 0)) return std::nullopt;
      c.flops = numel(*in[0].shape);
      return shaped(*in[0].shape, in[0].elem_bytes);
    }
    if (k == "tensor.sigmoid" || k == "tensor.tanh" || k == "tensor.exp" || k == "tensor.log" ||
        k == "tensor.softmax") {
      if (!need({0}, 0)) return std::nullopt;
      c.flops = 10 * numel(*in[0].shape);
      return shaped(*in[0].shape, in[0].elem_bytes);
    }
    if (k == "tensor.transpose") {
      if (!need({0}, 2)) return std::nullopt;
      return shaped({dim(0, 1), dim(0, 0)}, in[0].elem_bytes);
    }
    if (k == "tensor.sum" || k == "tensor.mean") {
      if (!need({0}, 0)) return std::nullopt;
      c.flops = numel(*in[0].shape);
      return c;
    }
    if (k == "tensor.argmax") {
      if (!need({0}, 2)) return std::nullopt;
      c.flops = numel(*in[0].shape);
      return shaped({dim(0, 0)}, 8);
    }
    if (k == "tensor.one_hot") {
      if (!need({0}, 1) || in.size() < 2 || !in[1].integer) return std::nullopt;
      return shaped({dim(0, 0), *in[1].integer});
    }
    if (k == "ml.make_blobs") {
      if (in.size() < 3 || !in[0].integer || !in[1].integer) return std::nullopt;
      int64_t rows = *in[0].integer;
      int64_t cols = *in[1].integer;
      c.flops = 30.0 * static_cast<double>(rows) * static_cast<double>(cols);
      out.resize(2);
      out[0].shape = Shape{rows, cols};
      out[0].elem_bytes = 4;
      out[1].shape = Shape{rows};
      out[1].elem_bytes = 8;
      c.bytes_out = tensor_bytes(out[0]) + tensor_bytes(out[1]);
      return c;
    }
    if (k == "ml.softmax_regression") {
      // x [N, D], y [N], classes C, epochs E: per epoch a forward and a backward GEMM.
      if (!need({0}, 2) || in.size() < 4 || !in[2].integer || !in[3].integer) return std::nullopt;
      double rows = static_cast<double>(dim(0, 0));
      double cols = static_cast<double>(dim(0, 1)) + 1;
      auto classes = static_cast<double>(*in[2].integer);
      c.flops =
          static_cast<double>(*in[3].integer) * (4 * rows * cols * classes + 10 * rows * classes);
      return shaped({dim(0, 1) + 1, *in[2].integer});
    }
    if (k == "ml.predict") {
      // w [D1, C], x [N, D]
      if (!need({0, 1}, 2)) return std::nullopt;
      c.flops = 2.0 * static_cast<double>(dim(1, 0)) * static_cast<double>(dim(0, 0)) *
                static_cast<double>(dim(0, 1));
      return shaped({dim(1, 0)}, 8);
    }
    if (k == "ml.kmeans") {
      // x [N, D], k, iters: distances to every centre on each iteration.
      if (!need({0}, 2) || in.size() < 3 || !in[1].integer || !in[2].integer) return std::nullopt;
      c.flops = 3.0 * static_cast<double>(*in[2].integer) * static_cast<double>(dim(0, 0)) *
                static_cast<double>(dim(0, 1)) * static_cast<double>(*in[1].integer);
      return shaped({*in[1].integer, dim(0, 1)});
    }
    return std::nullopt;
  }

  // The device of task node `id`: None for a task that is not a builtin.
  ir::Placement place(uint32_t id) {
    const ir::Node& n = w_.nodes[id];
    const ir::Task& t = m_.tasks[n.task.index];
    const auto* builtin = std::get_if<ir::Runner::Builtin>(&t.runner.body);
    if (builtin == nullptr) {
      shapes_from_type(id);
      return ir::Placement::None;
    }
    std::optional<KernelCost> c = cost(id, builtin->kernel);
    bool gpu_kernel = has_gpu_kernel(builtin->kernel);
    const std::string& hint = n.attributes().device;
    if (hint == "cpu" || hint == "gpu") {
      ++counts_.hinted;
      // A kernel the GPU does not have runs on the CPU whatever the hint says.
      return finish(hint == "gpu" && gpu_kernel);
    }
    if (!gpu_kernel) return finish(false);
    if (!c) {
      ++counts_.unknown;  // unknown shapes: the CPU
      return finish(false);
    }
    // Inputs a GPU node produced are on the device already; the others are copied there.
    double on_host = 0;
    for (const ir::Arg& a : w_.args_of(n)) {
      const ir::ValueRef& v = a.value;
      bool on_device = v.kind == ir::ValueRef::Kind::NodeOutput && v.index < w_.nodes.size() &&
                       w_.nodes[v.index].attributes().placement == ir::Placement::Gpu;
      if (!on_device) on_host += tensor_bytes(known(v));
    }
    return finish(gpu_seconds(*c, on_host, model_) < cpu_seconds(*c, model_));
  }

  ir::Placement finish(bool gpu) {
    ++(gpu ? counts_.gpu : counts_.cpu);
    return gpu ? ir::Placement::Gpu : ir::Placement::Cpu;
  }

  const ir::Module& m_;
  ir::Workflow& w_;
  const DeviceModel& model_;
  std::vector<std::vector<Known>> known_;  // per node, per output
  std::vector<uint32_t> container_;
  std::vector<uint32_t> parent_;  // union-find over stages
  Counts counts_;
};

class PlaceDevices final : public Pass {
 public:
  std::string_view name() const override { return "place-devices"; }
  std::string_view summary() const override {
    return "places each tensor task on the CPU or the GPU (the @device hint, else a cost "
           "model from known shapes) and groups GPU tasks that feed each other into stages";
  }

  void run(ir::Module& m, PassContext&) override {
    DeviceModel model;
    for (ir::Workflow& w : m.workflows) {
      Placer::Counts c = Placer(m, w, model).run();
      count("gpu", "tensor tasks placed on the GPU", c.gpu);
      count("cpu", "tensor tasks placed on the CPU", c.cpu);
      count("hinted", "tensor tasks placed by @device", c.hinted);
      count("unknown-shape", "tensor tasks on the CPU for want of known shapes", c.unknown);
      count("stages", "GPU stages", c.stages);
    }
  }
};

}  // namespace

bool has_gpu_kernel(std::string_view kernel) {
  return std::find(kGpuKernels.begin(), kGpuKernels.end(), kernel) != kGpuKernels.end();
}

void place_devices(ir::Module& m) {
  DeviceModel model;
  for (ir::Workflow& w : m.workflows) Placer(m, w, model).run();
}

std::unique_ptr<Pass> create_place_devices() { return std::make_unique<PlaceDevices>(); }

}  // namespace flyte::passes
