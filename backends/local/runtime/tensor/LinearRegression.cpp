// ml.linear_regression: the least-squares solution of x w = y (minimum norm when x is
// rank-deficient), by LAPACK's SVD-based sgelsd.
#include <lapacke.h>

#include <cstring>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor::kernels {

std::vector<KernelValue> linear_regression(std::span<const KernelValue> args, KernelContext&) {
  constexpr std::string_view kName = "linear_regression";
  const Tensor& x = arg<Tensor>(args, 0, kName, "x");
  const Tensor& y = arg<Tensor>(args, 1, kName, "y");
  require_rank(x, 2, kName, "x");
  require_rank(y, 1, kName, "y");
  if (x.dtype() != DType::F32 || y.dtype() != DType::F32)
    fail(kName, "x and y must be f32, not " + std::string(dtype_name(x.dtype())) + " and " +
                    std::string(dtype_name(y.dtype())));
  int64_t n = x.dim(0), d = x.dim(1);
  if (y.dim(0) != n)
    fail(kName, "x has " + std::to_string(n) + " rows but y has " + std::to_string(y.dim(0)));
  if (std::max(n, d) > INT32_MAX) fail(kName, "dimensions above 2^31 are not supported");
  Tensor w = Tensor::allocate(DType::F32, {d});
  if (d == 0) return one(std::move(w));
  if (n == 0) {
    std::fill(w.mutable_as<float>(), w.mutable_as<float>() + d, 0.0f);
    return one(std::move(w));
  }
  single_threaded_blas();
  // sgelsd overwrites its inputs, and b needs max(n, d) rows for the solution.
  std::vector<float> a(x.as<float>(), x.as<float>() + n * d);
  std::vector<float> b(static_cast<size_t>(std::max(n, d)), 0.0f);
  std::memcpy(b.data(), y.data(), y.bytes());
  std::vector<float> s(static_cast<size_t>(std::min(n, d)));
  lapack_int rank = 0;
  lapack_int info =
      LAPACKE_sgelsd(LAPACK_ROW_MAJOR, static_cast<lapack_int>(n), static_cast<lapack_int>(d), 1,
                     a.data(), static_cast<lapack_int>(d), b.data(), 1, s.data(), -1.0f, &rank);
  if (info > 0) fail(kName, "the SVD did not converge");
  if (info < 0) fail(kName, "LAPACK rejected argument " + std::to_string(-info));
  std::memcpy(w.mutable_data(), b.data(), w.bytes());
  return one(std::move(w));
}

}  // namespace flyte::rt::tensor::kernels
