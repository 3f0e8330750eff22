// The runner of `builtin("name")` tasks (the kernels of std.tensor and std.ml): one
// attempt converts the task's arguments to kernel values (a tensor from the process's
// tensor cache, else its .npy file mapped into memory), runs the kernel in this process
// with the task's CPU request as its thread count, checks each tensor it returns
// against the task's declared dtype and shape, and publishes it once as `<name>.npy` in
// the node's directory, keeping it in memory for the builtin tasks downstream.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "backends/local/runtime/TaskRunner.h"
#include "backends/local/runtime/TensorShapes.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt {

class BuiltinRunner final : public TaskRunner {
 public:
  AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) override;
};

/// Argument `v` of parameter `p` as a kernel value (a tensor loaded as above); nullopt
/// with `error` for a value no kernel takes. Fused GPU stages use it too.
std::optional<tensor::KernelValue> kernel_arg(const TypeTable& types, const ir::Param& p,
                                              const Value& v, std::string& error);

/// Kernel result `v` of output `o` as a run-time value, its tensors checked and published
/// in `node_dir`; nullopt with `error`.
std::optional<Value> kernel_result(const ir::Module& m, const ir::Output& o, tensor::KernelValue& v,
                                   const std::string& node_dir, ShapeBindings& b,
                                   std::string& error);

}  // namespace flyte::rt
