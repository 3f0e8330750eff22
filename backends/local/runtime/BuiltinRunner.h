// The runner of `builtin("name")` tasks (the kernels of std.tensor and std.ml): one
// attempt converts the task's arguments to kernel values (a tensor from the process's
// tensor cache, else its .npy file mapped into memory), runs the kernel in this process
// with the task's CPU request as its thread count, checks each tensor it returns
// against the task's declared dtype and shape, and publishes it once as `<name>.npy` in
// the node's directory, keeping it in memory for the builtin tasks downstream.
#pragma once

#include <atomic>

#include "backends/local/runtime/TaskRunner.h"

namespace flyte::rt {

class BuiltinRunner final : public TaskRunner {
 public:
  AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) override;
};

}  // namespace flyte::rt
