// ml.make_blobs: a seeded synthetic data set (centres uniform in [-10, 10]^d, points
// Gaussian around them, labels balanced), from the Philox streams of Philox.h.
#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"
#include "backends/local/runtime/tensor/Philox.h"

namespace flyte::rt::tensor::kernels {

// Centre c's coordinate j is -10 + 20 * uniform(seed, stream 1, c*d + j); row i has label
// i % centers (so every class has n/centers rows, give or take one) and coordinate
// x[i, j] = centre[label, j] + spread * normal(seed, stream 2, i*d + j), in float32.
std::vector<KernelValue> make_blobs(std::span<const KernelValue> args, KernelContext& ctx) {
  int64_t n = arg<int64_t>(args, 0, "make_blobs", "n");
  int64_t d = arg<int64_t>(args, 1, "make_blobs", "d");
  int64_t centers = arg<int64_t>(args, 2, "make_blobs", "centers");
  int64_t seed = arg_or<int64_t>(args, 3, "make_blobs", "seed", 0);
  double spread = arg_or<double>(args, 4, "make_blobs", "spread", 1.0);
  if (n < 0) fail("make_blobs", "n must not be negative, got " + std::to_string(n));
  if (d < 1) fail("make_blobs", "d must be at least 1, got " + std::to_string(d));
  if (centers < 1) fail("make_blobs", "centers must be at least 1, got " + std::to_string(centers));
  if (spread < 0) fail("make_blobs", "spread must not be negative");
  std::vector<double> centre(static_cast<size_t>(centers * d));
  for (size_t i = 0; i < centre.size(); ++i)
    centre[i] =
        -10.0 + 20.0 * static_cast<double>(philox_uniform(seed, RandomStream::BlobCentres, i));
  Tensor x = Tensor::allocate(DType::F32, checked_shape({n, d}, "make_blobs"));
  Tensor y = Tensor::allocate(DType::I64, {n});
  float* xp = x.mutable_as<float>();
  int64_t* yp = y.mutable_as<int64_t>();
  parallel_for(threads_of(ctx), n, 1024, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      int64_t label = i % centers;
      yp[i] = label;
      for (int64_t j = 0; j < d; ++j) {
        auto idx = static_cast<uint64_t>(i * d + j);
        xp[i * d + j] =
            static_cast<float>(centre[static_cast<size_t>(label * d + j)] +
                               spread * philox_normal(seed, RandomStream::BlobPoints, idx));
      }
    }
  });
  std::vector<KernelValue> out;
  out.emplace_back(std::move(x));
  out.emplace_back(std::move(y));
  return out;
}

}  // namespace flyte::rt::tensor::kernels
