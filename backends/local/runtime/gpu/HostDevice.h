// A Device in host memory that runs the CPU kernels: what the stage executor's tests run
// on where there is no GPU. Uploads and downloads copy, as a real device's would, and
// are counted; the resident count follows the tensors' lifetimes.
#pragma once

#include "backends/local/runtime/gpu/Device.h"

namespace flyte::rt::gpu {

class HostDevice final : public Device {
 public:
  std::string_view name() const override { return "host"; }
  tensor::Tensor upload(const tensor::Tensor& x) override;
  tensor::Tensor download(const tensor::Tensor& x) override;
  std::vector<tensor::KernelValue> run(std::string_view name,
                                       std::span<const tensor::KernelValue> args,
                                       tensor::KernelContext& ctx) override;

 private:
  // A copy of `x` whose storage decrements the resident count when freed.
  tensor::Tensor hold(const tensor::Tensor& x);
};

}  // namespace flyte::rt::gpu
