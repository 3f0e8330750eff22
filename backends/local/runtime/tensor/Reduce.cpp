// Reductions: sum and mean of all elements, row-wise argmax.
#include <cmath>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor::kernels {

namespace {

// Each thread sums its range in double with eight independent accumulators (so the loop
// vectorizes without reassociating); the partials are added in range order. A float32
// tensor of 1e8 elements sums with a relative error near 1e-16 * 1e8 / 8, far below
// float32's resolution.
template <typename T>
double sum_range(const T* x, int64_t lo, int64_t hi) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += static_cast<double>(x[i + j]);
  for (; i < hi; ++i) acc[0] += static_cast<double>(x[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double total(const Tensor& x, KernelContext& ctx, std::string_view name) {
  return dispatch_numeric(x.dtype(), name, [&](auto zero) {
    using T = decltype(zero);
    const T* p = x.as<T>();
    int parts = parallel_parts(threads_of(ctx), x.numel(), 1 << 18);
    std::vector<double> partial(static_cast<size_t>(parts), 0.0);
    parallel_parts_for(threads_of(ctx), x.numel(), 1 << 18, [&](int part, int64_t lo, int64_t hi) {
      partial[static_cast<size_t>(part)] = sum_range(p, lo, hi);
    });
    double s = 0;
    for (double v : partial) s += v;
    return s;
  });
}

}  // namespace

std::vector<KernelValue> sum(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "sum", "x");
  return one(total(x, ctx, "sum"));
}

std::vector<KernelValue> mean(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "mean", "x");
  if (x.numel() == 0) fail("mean", "x is empty (" + shape_text(x.shape()) + ")");
  return one(total(x, ctx, "mean") / static_cast<double>(x.numel()));
}

std::vector<KernelValue> argmax(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "argmax", "x");
  require_rank(x, 2, "argmax", "x");
  int64_t n = x.dim(0), c = x.dim(1);
  if (c == 0 && n > 0) fail("argmax", "x has no columns (" + shape_text(x.shape()) + ")");
  Tensor out = Tensor::allocate(DType::I64, {n});
  int64_t* o = out.mutable_as<int64_t>();
  dispatch_numeric(x.dtype(), "argmax", [&](auto zero) {
    using T = decltype(zero);
    const T* p = x.as<T>();
    parallel_for(threads_of(ctx), n, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(c, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) {
                     const T* row = p + r * c;
                     // The first largest wins ties; a NaN is the largest (as in NumPy).
                     int64_t best = 0;
                     for (int64_t j = 1; j < c; ++j) {
                       if constexpr (std::is_floating_point_v<T>) {
                         if (std::isnan(row[best])) break;
                         if (std::isnan(row[j])) {
                           best = j;
                           break;
                         }
                       }
                       if (row[j] > row[best]) best = j;
                     }
                     o[r] = best;
                   }
                 });
  });
  return one(std::move(out));
}

}  // namespace flyte::rt::tensor::kernels
