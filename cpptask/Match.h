// Whether a C++ function can be a task's entry point: each parameter and the result
// against the task's interface, by the mapping of DESIGN.md ("C++ tasks"). Pure
// functions over plain data, without Clang.
#pragma once

#include <string>
#include <vector>

#include "cpptask/Signature.h"
#include "ir/Types.h"

namespace flyte::cpptask {

/// A task's interface: its inputs in order, and its outputs (a single unnamed one is "o").
struct TaskInterface {
  std::vector<FieldType> inputs;
  std::vector<FieldType> outputs;
  bool named_outputs = false;
};

/// Why `f` cannot run a task of interface `task`, one line per problem ("parameter 2
/// 'lr' is 'float', but input 'lr: float' needs 'double'"); empty when it can.
std::vector<std::string> mismatches(const TypeTable& types, const TaskInterface& task,
                                    const CppFunction& f);

/// True when `f`'s last parameter is `flyte::Context&`.
bool takes_context(const CppFunction& f);

/// The C++ type a task type maps to, for messages: `int64_t`, `std::vector<double>`.
std::string expected_cpp(const TypeTable& types, TypeId t);

/// The element type of flyte::Tensor<T> for a dtype: f32 -> float, i64 -> int64_t.
std::string tensor_element(const std::string& dtype);

}  // namespace flyte::cpptask
