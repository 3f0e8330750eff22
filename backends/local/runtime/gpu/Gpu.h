// The runtime's side of the CUDA plugin: loads libflytec_cuda.so with dlopen when it is
// present and a GPU is visible, and runs the tensor tasks placed on the GPU through it.
// Otherwise they run on the CPU with the same results, and the executable says once on
// stderr why. The runtime never links CUDA.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/local/runtime/gpu/Device.h"
#include "backends/local/runtime/tensor/Kernel.h"
#include "ir/Ir.h"

namespace flyte::rt::gpu {

/// `--device`: `auto` follows the plan's placement, `cpu` runs every tensor task on the
/// CPU, `gpu` every tensor task the plugin has a kernel for on the GPU.
enum class DeviceMode { Auto, Cpu, Gpu };

/// Sets the mode for this process (the executable's `--device` flag).
void set_device_mode(DeviceMode mode);
DeviceMode device_mode();

/// Applies the executable's `--device auto|cpu|gpu`; false with `error` set when `gpu`
/// is asked for and no GPU is usable.
bool use_device(const std::string& flag, std::string& error);

/// True when the plugin is loaded and sees a GPU; otherwise false with `why` set, such as
/// "no GPU visible". Loads the plugin on first use: $FLYTEC_CUDA_PLUGIN, else
/// libflytec_cuda.so beside the executable, in ../lib/flytec from it, or in the runtime's
/// own library directory.
bool gpu_available(std::string* why = nullptr);

/// Runs kernel `name` (`tensor.matmul`) on the GPU when the node is placed there (or the
/// mode says so), the plugin is usable and has the kernel for these arguments' dtypes.
/// nullopt: run it on the CPU (when it was meant for the GPU, a notice is printed once).
/// Throws tensor::KernelError when the GPU fails.
std::optional<std::vector<tensor::KernelValue>> run_on_gpu(
    std::string_view name, ir::Placement placement, std::span<const tensor::KernelValue> args,
    tensor::KernelContext& ctx);

/// The GPU as a Device for fused stages (Stage.h), or null with `why` set when the plugin
/// is missing or sees no GPU. Its resident tensors must not outlive it.
std::unique_ptr<Device> cuda_device(std::string* why = nullptr);

}  // namespace flyte::rt::gpu
