// The host-memory stand-in for a GPU.
#include "backends/local/runtime/gpu/HostDevice.h"

#include <cstring>
#include <memory>

namespace flyte::rt::gpu {

using tensor::KernelValue;
using tensor::Tensor;

namespace {

Tensor copy(const Tensor& x) {
  Tensor out = Tensor::allocate(x.dtype(), x.shape());
  if (x.bytes() > 0) std::memcpy(out.mutable_data(), x.data(), x.bytes());
  return out;
}

}  // namespace

Tensor HostDevice::hold(const Tensor& x) {
  Tensor c = copy(x);
  DeviceStats* stats = &stats_;
  ++stats->resident;
  stats->peak_resident = std::max(stats->peak_resident, stats->resident);
  // The resident tensor owns the copy; its release is the "device free".
  auto owner = std::shared_ptr<const void>(new Tensor(c), [stats](const void* p) {
    delete static_cast<const Tensor*>(p);
    --stats->resident;
  });
  return Tensor::adopt(c.dtype(), c.shape(), owner, c.data());
}

Tensor HostDevice::upload(const Tensor& x) {
  ++stats_.uploads;
  stats_.upload_bytes += static_cast<int64_t>(x.bytes());
  return hold(x);
}

Tensor HostDevice::download(const Tensor& x) {
  ++stats_.downloads;
  stats_.download_bytes += static_cast<int64_t>(x.bytes());
  return copy(x);
}

std::vector<KernelValue> HostDevice::run(std::string_view name, std::span<const KernelValue> args,
                                         tensor::KernelContext& ctx) {
  const tensor::KernelInfo* k = tensor::find_kernel(name);
  if (k == nullptr || k->cpu == nullptr)
    throw tensor::KernelError("this device has no kernel '" + std::string(name) + "'");
  ++stats_.kernels;
  std::vector<KernelValue> out = k->cpu(args, ctx);
  for (KernelValue& v : out) {
    if (auto* t = std::get_if<Tensor>(&v)) {
      *t = hold(*t);
    } else if (auto* ts = std::get_if<std::vector<Tensor>>(&v)) {
      for (Tensor& x : *ts) x = hold(x);
    }
  }
  return out;
}

}  // namespace flyte::rt::gpu
