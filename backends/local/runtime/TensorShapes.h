// Tensors checked against a task's declared types at run time (LANGUAGE.md section 3):
// dtype, rank and literal dimensions, and the dtype, dimension and shape variables of one
// signature bound by the first tensor that uses them, inputs first, then outputs. A
// mismatch names the tensor, the dimension, both values and where each came from:
// "input b: dimension 0 (K) is 5, but K is 4 from input a".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/local/runtime/Value.h"
#include "ir/Ir.h"

namespace flyte::rt {

/// The variables of one task signature bound so far, each with where it came from
/// ("input a").
struct ShapeBindings {
  std::map<std::string, std::pair<int64_t, std::string>> dims;
  std::map<std::string, std::pair<std::string, std::string>> dtypes;
  std::map<std::string, std::pair<std::vector<int64_t>, std::string>> shapes;

  /// The dimension variables alone, as check_npy takes them.
  std::map<std::string, int64_t> dim_values() const;
};

/// Checks a tensor of `dtype` (flytec's name) and `shape`, called `origin` ("input a"),
/// against `spec`, binding its variables in `b`. False with `error` (without the
/// origin: "dimension 0 (K) is 5, but K is 4 from input a"); `b` is then unchanged.
bool bind_tensor(const TensorSpec& spec, std::string_view dtype, const std::vector<int64_t>& shape,
                 const std::string& origin, ShapeBindings& b, std::string& error);

/// Checks every tensor among `args` (a Tensor, optional Tensor or List of them) against
/// the task's parameters, in order, reading each one's dtype and shape from the process's
/// tensor cache or the .npy header. False with `error`, such as
/// "input b: dimension 0 (K) is 5, but K is 4 from input a".
bool check_tensor_inputs(const ir::Module& m, const ir::Task& t, const Value& args,
                         ShapeBindings& b, std::string& error);

}  // namespace flyte::rt
