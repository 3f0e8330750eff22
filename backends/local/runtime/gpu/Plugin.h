// Inside the runtime's GPU support: the loaded CUDA plugin's table and the dispatch of
// std.tensor's kernels through it, shared by per-node GPU runs (Gpu.cpp) and the CUDA
// device of fused stages (CudaDevice.cpp).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/local/runtime/gpu/FlytecCuda.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::gpu {

/// The plugin's table when it is loaded and sees a GPU, else null with `why` set.
const flytec_cuda_api* plugin_api(std::string* why = nullptr);

/// Makes a kernel's output tensor (host or device memory).
using Allocate = std::function<tensor::Tensor(tensor::DType, std::vector<int64_t>)>;

/// std.tensor kernel `name` through the plugin; nullopt when the plugin has none for these
/// arguments. `status`: the plugin's return value. `resident`: the argument tensors are
/// device memory, so nothing here reads them.
std::optional<std::vector<tensor::KernelValue>> dispatch(const flytec_cuda_api& api,
                                                         std::string_view name,
                                                         std::span<const tensor::KernelValue> args,
                                                         int& status, const Allocate& alloc,
                                                         bool resident);

}  // namespace flyte::rt::gpu
