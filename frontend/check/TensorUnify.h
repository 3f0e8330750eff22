// Tensor shape and dtype unification (LANGUAGE.md section 3): a pure function of types,
// shared by the checker and by any pass that needs a call's variable bindings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ir/Types.h"

namespace flyte {

/// What one call binds its callee's tensor variables to, each with the argument that bound
/// it: `N` = 128 from "argument 'x'", the dtype variable `T` = "f32", the shape variable `S`.
struct TensorBindings {
  struct Dim {
    int64_t value;
    std::string from;
  };
  struct Shape {
    std::vector<DimSpec> dims;
    std::string from;
  };
  struct Dtype {
    std::string dtype;
    std::string from;
  };
  std::unordered_map<std::string, Dim> dims;
  std::unordered_map<std::string, Shape> shapes;
  std::unordered_map<std::string, Dtype> dtypes;
};

/// Why an argument's tensor does not fit its parameter, such as "tensor rank mismatch:
/// expected rank 2, found rank 1 in argument 'x'". The checker reports a Dtype mismatch as
/// E0303 and a Shape mismatch (rank or dimension) as E0302.
struct TensorMismatch {
  enum class Kind : uint8_t { Dtype, Shape };
  Kind kind;
  std::string message;
};

/// How messages name an argument: "argument 'x'" for parameter `x`, "the value" when there
/// is no parameter (a struct field, a default, a returned value).
std::string describe_argument(std::string_view param);

/// Unifies a parameter's tensor type `want` with an argument's `got`. Variables of `want`
/// bind in `bindings` (none bind when it is null); variables and `?` in `got` are bound at
/// run time and match anything, and so does a `want` of any rank. `from` names the
/// argument in messages ("argument 'x'"), `callee` the task or workflow called.
std::optional<TensorMismatch> unify_tensor(const TensorSpec& want, const TensorSpec& got,
                                           TensorBindings* bindings, std::string_view from,
                                           std::string_view callee);

/// One argument of a call: its parameter's name and declared type, and the argument's type,
/// such as `x`, `Tensor<f32, [N, D]>` and `Tensor<f32, [128, 3]>`.
struct UnifyArgument {
  std::string_view param;
  TypeId declared;
  TypeId actual;
};

/// The bindings a call makes, and each argument's first mismatch with its index in the
/// arguments given.
struct CallUnification {
  TensorBindings bindings;
  std::vector<std::pair<size_t, TensorMismatch>> mismatches;
};

/// Unifies the arguments of a call to `callee`, in order, through `List`, `Map` and optional
/// types down to tensors; other types are not compared here (the checker's conversions do
/// that). For `matmul(a: Tensor<T, [M, K]>, b: Tensor<T, [K, N]>)` called with `[2, 3]` and
/// `[3, 4]` tensors, this binds M = 2, K = 3, N = 4 and the dtype T.
CallUnification unify_call(const TypeTable& types, std::string_view callee,
                           const std::vector<UnifyArgument>& args);

/// `t` with the variables in `bindings` replaced by their values, such as a callee's output
/// `Tensor<T, [M, N]>` as `Tensor<f32, [2, 4]>`; a variable nothing bound stays a variable
/// (it is bound from the data at run time).
TypeId substitute(TypeTable& types, TypeId t, const TensorBindings& bindings);

}  // namespace flyte
