// The Device of fused stages on the GPU: tensors live in the plugin's device memory
// between kernels. std.tensor's kernels run on it in place; std.ml's take their inputs
// through host memory (their training loops keep everything on the device themselves),
// and a kernel the plugin lacks for some arguments runs on the CPU on copies.
#include <iostream>
#include <memory>
#include <utility>

#include "backends/local/runtime/gpu/Gpu.h"
#include "backends/local/runtime/gpu/GpuML.h"
#include "backends/local/runtime/gpu/Plugin.h"

namespace flyte::rt::gpu {
namespace {

using tensor::DType;
using tensor::KernelValue;
using tensor::Tensor;

class CudaDevice final : public Device {
 public:
  explicit CudaDevice(const flytec_cuda_api& api) : api_(api) {}

  std::string_view name() const override { return "cuda"; }

  Tensor upload(const Tensor& x) override {
    Tensor t = make(x.dtype(), x.shape());
    if (api_.copy(t.mutable_data(), x.data(), x.bytes()) != 0)
      throw tensor::KernelError(std::string("copying to the GPU failed: ") + api_.last_error());
    ++stats_.uploads;
    stats_.upload_bytes += static_cast<int64_t>(x.bytes());
    return t;
  }

  Tensor download(const Tensor& x) override {
    Tensor h = Tensor::allocate(x.dtype(), x.shape());
    if (api_.copy(h.mutable_data(), x.data(), x.bytes()) != 0)
      throw tensor::KernelError(std::string("copying from the GPU failed: ") + api_.last_error());
    ++stats_.downloads;
    stats_.download_bytes += static_cast<int64_t>(x.bytes());
    return h;
  }

  std::vector<KernelValue> run(std::string_view name, std::span<const KernelValue> args,
                               tensor::KernelContext& ctx) override {
    ++stats_.kernels;
    if (!name.starts_with("ml.")) {
      int status = 0;
      auto out = dispatch(
          api_, name, args, status,
          [this](DType t, std::vector<int64_t> s) { return make(t, std::move(s)); }, true);
      if (out && status == 0) return std::move(*out);
      if (out)
        std::cerr << "flytec: " << name << " failed on the GPU (" << api_.last_error()
                  << "); it runs on the CPU\n";
    }
    // Through host memory: std.ml, and whatever the plugin has no kernel for.
    std::vector<KernelValue> host(args.begin(), args.end());
    for (KernelValue& v : host) {
      if (auto* t = std::get_if<Tensor>(&v)) *t = download(*t);
    }
    std::optional<std::vector<KernelValue>> out;
    if (name.starts_with("ml.")) {
      int status = 0;
      out = run_ml(api_, name, host, ctx, status);
      if (out && status != 0) out.reset();
    }
    if (!out) {
      const tensor::KernelInfo* k = tensor::find_kernel(name);
      if (k == nullptr || k->cpu == nullptr)
        throw tensor::KernelError("this runtime has no kernel '" + std::string(name) + "'");
      out = k->cpu(host, ctx);
    }
    for (KernelValue& v : *out) {
      if (auto* t = std::get_if<Tensor>(&v)) *t = upload(*t);
    }
    return std::move(*out);
  }

 private:
  // A resident tensor in new device memory, freed with its last copy.
  Tensor make(DType dtype, std::vector<int64_t> shape) {
    Tensor probe = Tensor::adopt(dtype, shape, nullptr, nullptr);
    void* p = api_.device_alloc(probe.bytes());
    if (p == nullptr) throw tensor::KernelError(std::string("GPU memory: ") + api_.last_error());
    DeviceStats* stats = &stats_;
    ++stats->resident;
    stats->peak_resident = std::max(stats->peak_resident, stats->resident);
    const flytec_cuda_api* api = &api_;
    std::shared_ptr<const void> owner(p, [api, stats](const void* q) {
      api->device_free(const_cast<void*>(q));
      --stats->resident;
    });
    return Tensor::adopt(dtype, std::move(shape), std::move(owner), p);
  }

  const flytec_cuda_api& api_;
};

}  // namespace

std::unique_ptr<Device> cuda_device(std::string* why) {
  const flytec_cuda_api* api = plugin_api(why);
  if (api == nullptr) return nullptr;
  return std::make_unique<CudaDevice>(*api);
}

}  // namespace flyte::rt::gpu
