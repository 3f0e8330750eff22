// tensor.random: seeded normal or uniform values from Philox4x32-10 (mapping in Philox.h);
// each element depends only on (seed, index), so any split over threads or devices gives
// the same tensor.
#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"
#include "backends/local/runtime/tensor/Philox.h"

namespace flyte::rt::tensor::kernels {

std::vector<KernelValue> random(std::span<const KernelValue> args, KernelContext& ctx) {
  const auto& shape = arg<std::vector<int64_t>>(args, 0, "random", "shape");
  int64_t seed = arg_or<int64_t>(args, 1, "random", "seed", 0);
  std::string dist = arg_or<std::string>(args, 2, "random", "dist", "normal");
  bool normal = dist == "normal";
  if (!normal && dist != "uniform")
    fail("random", "dist is \"" + dist + "\"; it must be \"normal\" or \"uniform\"");
  Tensor out = Tensor::allocate(DType::F32, checked_shape(shape, "random"));
  float* o = out.mutable_as<float>();
  parallel_for(threads_of(ctx), out.numel(), 1 << 14, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      auto idx = static_cast<uint64_t>(i);
      o[i] = normal ? static_cast<float>(philox_normal(seed, RandomStream::Tensor, idx))
                    : philox_uniform(seed, RandomStream::Tensor, idx);
    }
  });
  return one(std::move(out));
}

}  // namespace flyte::rt::tensor::kernels
