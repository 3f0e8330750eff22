// std.ml's kernels through the CUDA plugin: softmax_regression (with the CPU kernel's
// checkpoints and resume), predict, accuracy and kmeans.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "backends/local/runtime/gpu/FlytecCuda.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::gpu {

/// Runs `name` (`ml.kmeans`, ...) through `api`; nullopt when it is no std.ml kernel the
/// plugin has, or the arguments are ones the CPU kernel must report. `status` is the
/// plugin's return value (nonzero: the GPU failed). Throws tensor::KernelError when the
/// task is cancelled or a checkpoint cannot be saved.
std::optional<std::vector<tensor::KernelValue>> run_ml(const flytec_cuda_api& api,
                                                       std::string_view name,
                                                       std::span<const tensor::KernelValue> args,
                                                       tensor::KernelContext& ctx, int& status);

}  // namespace flyte::rt::gpu
