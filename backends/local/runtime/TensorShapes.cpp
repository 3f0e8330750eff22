// Run-time tensor checks against declared dtypes and shapes.
#include "backends/local/runtime/TensorShapes.h"

#include <fmt/format.h>

#include <optional>

#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/TensorRef.h"

namespace flyte::rt {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "a scalar (rank 0)";
  return fmt::format("{}", fmt::join(shape, "x"));
}

std::string declared_text(const TensorSpec& spec) {
  std::vector<std::string> dims;
  for (const DimSpec& d : spec.dims) {
    dims.push_back(d.kind == DimSpec::Kind::Literal ? std::to_string(d.value)
                   : d.kind == DimSpec::Kind::Var   ? d.var
                                                    : "?");
  }
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

/// The dtype and shape of the tensor at `path`, from the cache or the file's header.
bool describe(const std::string& path, std::string& dtype, std::vector<int64_t>& shape,
              std::string& error) {
  if (std::optional<tensor::Tensor> t = TensorCache::process().get(path)) {
    dtype = std::string(tensor::dtype_name(t->dtype()));
    shape = t->shape();
    return true;
  }
  std::optional<NpyHeader> h = read_npy_header(path, error);
  if (!h) return false;
  dtype = h->dtype;
  shape = h->shape;
  return true;
}

}  // namespace

std::map<std::string, int64_t> ShapeBindings::dim_values() const {
  std::map<std::string, int64_t> out;
  for (const auto& [var, bound] : dims) out[var] = bound.first;
  return out;
}

bool bind_tensor(const TensorSpec& spec, std::string_view dtype, const std::vector<int64_t>& shape,
                 const std::string& origin, ShapeBindings& b, std::string& error) {
  ShapeBindings added;
  if (!spec.dtype_is_var) {
    if (dtype != spec.dtype) {
      error = fmt::format("dtype is {}, declared {}", dtype, spec.dtype);
      return false;
    }
  } else if (auto it = b.dtypes.find(spec.dtype); it != b.dtypes.end()) {
    if (it->second.first != dtype) {
      error = fmt::format("dtype ({}) is {}, but {} is {} from {}", spec.dtype, dtype, spec.dtype,
                          it->second.first, it->second.second);
      return false;
    }
  } else {
    added.dtypes[spec.dtype] = {std::string(dtype), origin};
  }
  if (spec.shape == TensorSpec::Shape::Var) {
    if (auto it = b.shapes.find(spec.shape_var); it != b.shapes.end()) {
      if (it->second.first != shape) {
        error =
            fmt::format("shape ({}) is {}, but {} is {} from {}", spec.shape_var, shape_text(shape),
                        spec.shape_var, shape_text(it->second.first), it->second.second);
        return false;
      }
    } else {
      added.shapes[spec.shape_var] = {shape, origin};
    }
  } else if (spec.shape == TensorSpec::Shape::Dims) {
    if (spec.dims.size() != shape.size()) {
      error = fmt::format("rank is {} ({}), declared {} ({})", shape.size(), shape_text(shape),
                          spec.dims.size(), declared_text(spec));
      return false;
    }
    for (size_t i = 0; i < shape.size(); ++i) {
      const DimSpec& d = spec.dims[i];
      if (d.kind == DimSpec::Kind::Literal && d.value != shape[i]) {
        error = fmt::format("dimension {} is {}, declared {}", i, shape[i], d.value);
        return false;
      }
      if (d.kind != DimSpec::Kind::Var) continue;
      const std::pair<int64_t, std::string>* bound = nullptr;
      if (auto it = added.dims.find(d.var); it != added.dims.end()) bound = &it->second;
      if (auto it = b.dims.find(d.var); it != b.dims.end()) bound = &it->second;
      if (bound == nullptr) {
        added.dims[d.var] = {shape[i], origin};
      } else if (bound->first != shape[i]) {
        error = fmt::format("dimension {} ({}) is {}, but {} is {} from {}", i, d.var, shape[i],
                            d.var, bound->first, bound->second);
        return false;
      }
    }
  }
  b.dims.merge(added.dims);
  b.dtypes.merge(added.dtypes);
  b.shapes.merge(added.shapes);
  return true;
}

bool check_tensor_inputs(const ir::Module& m, const ir::Task& t, const Value& args,
                         ShapeBindings& b, std::string& error) {
  const TypeTable& types = m.types;
  for (const ir::Param& p : t.inputs) {
    TypeId type = p.type;
    if (types.kind(type) == TypeKind::Optional) type = types.get(type).elem;
    bool list = types.kind(type) == TypeKind::List;
    if (list) type = types.get(type).elem;
    if (types.kind(type) != TypeKind::Tensor || !args.contains(p.name)) continue;
    const Value& v = args[p.name];
    if (v.is_null()) continue;
    const TensorSpec& spec = types.get(type).tensor;
    std::vector<const Value*> leaves;
    if (list && v.is_array()) {
      for (const Value& x : v) leaves.push_back(&x);
    } else if (!list) {
      leaves.push_back(&v);
    }
    for (size_t i = 0; i < leaves.size(); ++i) {
      std::string origin = list ? fmt::format("input {}[{}]", p.name, i) : "input " + p.name;
      if (!leaves[i]->is_string()) continue;
      std::string dtype, why;
      std::vector<int64_t> shape;
      if (!describe(leaves[i]->get<std::string>(), dtype, shape, why) ||
          !bind_tensor(spec, dtype, shape, origin, b, why)) {
        error = fmt::format("{}: {}", origin, why);
        return false;
      }
    }
  }
  return true;
}

}  // namespace flyte::rt
