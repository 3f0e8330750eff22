// Creation kernels: full and zeros.
#include <algorithm>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor {

namespace kernels {

namespace {

Tensor filled(const std::vector<int64_t>& shape, float value, KernelContext& ctx,
              std::string_view name) {
  Tensor out = Tensor::allocate(DType::F32, checked_shape(shape, name));
  float* o = out.mutable_as<float>();
  parallel_for(threads_of(ctx), out.numel(), 1 << 18,
               [&](int64_t lo, int64_t hi) { std::fill(o + lo, o + hi, value); });
  return out;
}

}  // namespace

std::vector<KernelValue> full(std::span<const KernelValue> args, KernelContext& ctx) {
  const auto& shape = arg<std::vector<int64_t>>(args, 0, "full", "shape");
  double value = arg<double>(args, 1, "full", "value");
  return one(filled(shape, static_cast<float>(value), ctx, "full"));
}

std::vector<KernelValue> zeros(std::span<const KernelValue> args, KernelContext& ctx) {
  const auto& shape = arg<std::vector<int64_t>>(args, 0, "zeros", "shape");
  return one(filled(shape, 0.0f, ctx, "zeros"));
}

}  // namespace kernels
}  // namespace flyte::rt::tensor
