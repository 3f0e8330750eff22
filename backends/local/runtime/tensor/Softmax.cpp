// Row-wise softmax, numerically stable (each row shifted by its maximum).
#include "backends/local/runtime/tensor/Softmax.h"

#include <cmath>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor {

template <typename T>
void softmax_rows(const T* x, T* out, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = x + r * cols;
    T* o = out + r * cols;
    T m = in[0];
    for (int64_t j = 1; j < cols; ++j) m = in[j] > m ? in[j] : m;
    T s = 0;
    for (int64_t j = 0; j < cols; ++j) {
      o[j] = std::exp(in[j] - m);
      s += o[j];
    }
    T inv = T{1} / s;
    for (int64_t j = 0; j < cols; ++j) o[j] *= inv;
  }
}

template void softmax_rows<float>(const float*, float*, int64_t, int64_t);
template void softmax_rows<double>(const double*, double*, int64_t, int64_t);

namespace kernels {

std::vector<KernelValue> softmax(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "softmax", "x");
  require_rank(x, 2, "softmax", "x");
  int64_t n = x.dim(0), c = x.dim(1);
  if (c == 0 && n > 0) fail("softmax", "x has no columns (" + shape_text(x.shape()) + ")");
  Tensor out = Tensor::allocate(x.dtype(), x.shape());
  dispatch_float(x.dtype(), "softmax", [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.as<T>();
    T* o = out.mutable_as<T>();
    parallel_for(
        threads_of(ctx), n, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(c, 1)),
        [&](int64_t lo, int64_t hi) { softmax_rows(in + lo * c, o + lo * c, hi - lo, c); });
  });
  return one(std::move(out));
}

}  // namespace kernels
}  // namespace flyte::rt::tensor
