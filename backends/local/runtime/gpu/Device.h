// The device a fused GPU stage runs on (docs/runtime.md, "GPU stages"): it holds tensors
// between kernels, so that a stage's intermediates never come back to the host. The CUDA
// plugin implements it (cuda_device(), Gpu.h); HostDevice is a stand-in in host memory
// that runs the CPU kernels, for tests of the stage logic on machines without a GPU.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::gpu {

/// What moved between the host and a device, for tests and the run's counters.
struct DeviceStats {
  int64_t uploads = 0, downloads = 0;  // tensors copied in / out
  int64_t upload_bytes = 0, download_bytes = 0;
  int64_t kernels = 0;                      // kernels run
  int64_t resident = 0, peak_resident = 0;  // tensors held now / at most
};

/// A device's memory and kernels. A tensor::Tensor returned by upload() or run() is
/// *resident*: its data pointer is the device's (only download() may read it on the
/// host), and the device memory is freed when the last copy of the Tensor goes.
class Device {
 public:
  virtual ~Device() = default;
  /// "cuda", "host".
  virtual std::string_view name() const = 0;
  /// A resident copy of host tensor `x`.
  virtual tensor::Tensor upload(const tensor::Tensor& x) = 0;
  /// A host copy of resident tensor `x`.
  virtual tensor::Tensor download(const tensor::Tensor& x) = 0;
  /// Runs kernel `name` on arguments whose tensors are resident; the tensors among its
  /// results are resident too. Throws tensor::KernelError (the kernel's own message).
  virtual std::vector<tensor::KernelValue> run(std::string_view name,
                                               std::span<const tensor::KernelValue> args,
                                               tensor::KernelContext& ctx) = 0;
  const DeviceStats& stats() const { return stats_; }

 protected:
  DeviceStats stats_;
};

}  // namespace flyte::rt::gpu
