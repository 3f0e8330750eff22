// Tensor shape and dtype unification: binding a callee's dimension, shape and dtype
// variables from its arguments, and substituting the bindings into its outputs.
#include "frontend/check/TensorUnify.h"

#include <fmt/format.h>

namespace flyte {
namespace {

// Compares dimension by dimension. `shape_var` is set when `want` is what an earlier
// argument bound a shape variable to (`shape_from` names that argument).
std::optional<TensorMismatch> unify_dims(const TensorSpec& want, const TensorSpec& got,
                                         TensorBindings* b, std::string_view from,
                                         std::string_view callee, std::string_view shape_var,
                                         std::string_view shape_from) {
  if (want.dims.size() != got.dims.size()) {
    std::string what = shape_var.empty()
                           ? fmt::format("expected rank {}", want.dims.size())
                           : fmt::format("shape {} of '{}' has rank {} from {}", shape_var, callee,
                                         want.dims.size(), shape_from);
    return TensorMismatch{
        TensorMismatch::Kind::Shape,
        fmt::format("tensor rank mismatch: {}, found rank {} in {}", what, got.dims.size(), from)};
  }
  for (size_t i = 0; i < want.dims.size(); ++i) {
    const DimSpec& w = want.dims[i];
    const DimSpec& g = got.dims[i];
    if (g.kind != DimSpec::Kind::Literal) continue;  // bound at run time
    if (w.kind == DimSpec::Kind::Literal && w.value != g.value) {
      std::string name = shape_var.empty() ? fmt::format("dimension {}", i)
                                           : fmt::format("dimension {} of shape {}", i, shape_var);
      std::string bound =
          shape_var.empty() ? std::string(" declared") : fmt::format(" from {}", shape_from);
      return TensorMismatch{
          TensorMismatch::Kind::Shape,
          fmt::format("{} of '{}': {}{}, {} from {}", name, callee, w.value, bound, g.value, from)};
    }
    if (w.kind == DimSpec::Kind::Var && b != nullptr) {
      auto [it, inserted] = b->dims.emplace(w.var, TensorBindings::Dim{g.value, std::string(from)});
      if (!inserted && it->second.value != g.value) {
        return TensorMismatch{
            TensorMismatch::Kind::Shape,
            fmt::format("dimension {} of '{}': {} from {}, {} from {}", w.var, callee,
                        it->second.value, it->second.from, g.value, from)};
      }
    }
  }
  return std::nullopt;
}

// Walks a declared type and an argument's type down to their tensors, as the checker's
// conversions do for values that are not literals.
std::optional<TensorMismatch> unify_types(const TypeTable& types, TypeId to, TypeId from_type,
                                          TensorBindings& b, std::string_view from,
                                          std::string_view callee) {
  if (to == from_type) return std::nullopt;
  const TypeData& t = types.get(to);
  const TypeData& f = types.get(from_type);
  if (t.kind == TypeKind::Optional) {
    if (f.kind == TypeKind::None) return std::nullopt;
    return unify_types(types, t.elem, f.kind == TypeKind::Optional ? f.elem : from_type, b, from,
                       callee);
  }
  if ((t.kind == TypeKind::List || t.kind == TypeKind::Map) && f.kind == t.kind) {
    if (types.kind(f.elem) == TypeKind::Never) return std::nullopt;  // `[]`, `{}`
    return unify_types(types, t.elem, f.elem, b, from, callee);
  }
  if (t.kind == TypeKind::Tensor && f.kind == TypeKind::Tensor) {
    return unify_tensor(t.tensor, f.tensor, &b, from, callee);
  }
  return std::nullopt;
}

}  // namespace

std::string describe_argument(std::string_view param) {
  return param.empty() ? std::string("the value") : fmt::format("argument '{}'", param);
}

std::optional<TensorMismatch> unify_tensor(const TensorSpec& want, const TensorSpec& got,
                                           TensorBindings* b, std::string_view from,
                                           std::string_view callee) {
  if (!got.dtype_is_var) {
    if (!want.dtype_is_var) {
      if (want.dtype != got.dtype) {
        return TensorMismatch{
            TensorMismatch::Kind::Dtype,
            fmt::format("tensor dtype mismatch: expected '{}', found '{}'", want.dtype, got.dtype)};
      }
    } else if (b != nullptr) {
      auto [it, inserted] =
          b->dtypes.emplace(want.dtype, TensorBindings::Dtype{got.dtype, std::string(from)});
      if (!inserted && it->second.dtype != got.dtype) {
        return TensorMismatch{
            TensorMismatch::Kind::Dtype,
            fmt::format("dtype {} of '{}': {} from {}, {} from {}", want.dtype, callee,
                        it->second.dtype, it->second.from, got.dtype, from)};
      }
    }
  }
  if (want.shape == TensorSpec::Shape::AnyRank || got.shape != TensorSpec::Shape::Dims)
    return std::nullopt;
  if (want.shape == TensorSpec::Shape::Var) {
    if (b == nullptr) return std::nullopt;
    auto [it, inserted] =
        b->shapes.emplace(want.shape_var, TensorBindings::Shape{got.dims, std::string(from)});
    if (inserted) return std::nullopt;
    // Every use of a shape variable is the shape its first argument bound.
    TensorSpec bound;
    bound.shape = TensorSpec::Shape::Dims;
    bound.dims = it->second.dims;
    bound.dtype = got.dtype;
    bound.dtype_is_var = true;
    return unify_dims(bound, got, nullptr, from, callee, want.shape_var, it->second.from);
  }
  return unify_dims(want, got, b, from, callee, "", "");
}

CallUnification unify_call(const TypeTable& types, std::string_view callee,
                           const std::vector<UnifyArgument>& args) {
  CallUnification out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string from = describe_argument(args[i].param);
    if (auto m = unify_types(types, args[i].declared, args[i].actual, out.bindings, from, callee))
      out.mismatches.emplace_back(i, std::move(*m));
  }
  return out;
}

TypeId substitute(TypeTable& types, TypeId t, const TensorBindings& b) {
  const TypeData& d = types.get(t);
  switch (d.kind) {
    case TypeKind::List: return types.list(substitute(types, d.elem, b));
    case TypeKind::Map: return types.map(substitute(types, d.elem, b));
    case TypeKind::Optional: return types.optional(substitute(types, d.elem, b));
    case TypeKind::Tensor: {
      TensorSpec s = d.tensor;
      if (s.dtype_is_var) {
        auto it = b.dtypes.find(s.dtype);
        if (it != b.dtypes.end()) {
          s.dtype = it->second.dtype;
          s.dtype_is_var = false;
        }
      }
      if (s.shape == TensorSpec::Shape::Var) {
        auto it = b.shapes.find(s.shape_var);
        if (it != b.shapes.end()) {
          s.shape = TensorSpec::Shape::Dims;
          s.dims = it->second.dims;
          s.shape_var.clear();
        }
      }
      for (DimSpec& dim : s.dims) {
        if (dim.kind != DimSpec::Kind::Var) continue;
        auto it = b.dims.find(dim.var);
        if (it != b.dims.end()) {
          dim.kind = DimSpec::Kind::Literal;
          dim.value = it->second.value;
          dim.var.clear();
        }
      }
      return types.tensor(std::move(s));
    }
    default: return t;
  }
}

}  // namespace flyte
