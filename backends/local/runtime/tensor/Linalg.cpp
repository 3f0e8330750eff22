// Linear algebra kernels: matmul (cblas for f32 and f64, a loop for integers) and a
// cache-blocked transpose.
#include "backends/local/runtime/tensor/Linalg.h"

#include <cblas.h>

#include <cstring>
#include <type_traits>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor {

namespace {

// One cblas call on a block (cblas indexes with int).
void gemm_block(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}
void gemm_block(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
                const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

template <typename T>
void gemm_parallel(int threads, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                   const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    // cblas leaves C alone for k == 0 only when beta is 1; be explicit.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T{0} ? T{0} : beta * c[i * ldc + j];
    return;
  }
  single_threaded_blas();
  // Small products are not worth a thread; otherwise split the longer side of C.
  double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (flops < 4e6) threads = 1;
  if (m >= n || m >= 64 * static_cast<int64_t>(threads)) {
    parallel_for(threads, m, 16, [&](int64_t lo, int64_t hi) {
      gemm_block(hi - lo, n, k, alpha, a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc);
    });
  } else {
    parallel_for(threads, n, 16, [&](int64_t lo, int64_t hi) {
      gemm_block(m, hi - lo, k, alpha, a, lda, b + lo, ldb, beta, c + lo, ldc);
    });
  }
}

template <typename T>
void matmul_loop(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  using U = std::make_unsigned_t<T>;  // wraps like NumPy instead of overflowing
  for (int64_t i = 0; i < m; ++i) {
    U* row = reinterpret_cast<U*>(c + i * n);
    std::fill(row, row + n, U{0});
    for (int64_t p = 0; p < k; ++p) {
      U av = static_cast<U>(a[i * k + p]);
      const T* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) row[j] += av * static_cast<U>(brow[j]);
    }
  }
}

// Rows [lo, hi) of the m x n matrix `in` become columns [lo, hi) of `out`, in 32 x 32
// tiles so that both sides stay in cache.
template <size_t Size>
void transpose_rows(const void* in, void* out, int64_t m, int64_t n, int64_t lo, int64_t hi) {
  struct Item {
    unsigned char bytes[Size];
  };
  const Item* x = static_cast<const Item*>(in);
  Item* y = static_cast<Item*>(out);
  constexpr int64_t kTile = 32;
  for (int64_t i0 = lo; i0 < hi; i0 += kTile)
    for (int64_t j0 = 0; j0 < n; j0 += kTile) {
      int64_t i1 = std::min(hi, i0 + kTile), j1 = std::min(n, j0 + kTile);
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) y[j * m + i] = x[i * n + j];
    }
}

}  // namespace

void gemm(int threads, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_parallel(threads, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void gemm(int threads, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  gemm_parallel(threads, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace kernels {

std::vector<KernelValue> matmul(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& a = arg<Tensor>(args, 0, "matmul", "a");
  const Tensor& b = arg<Tensor>(args, 1, "matmul", "b");
  if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(0))
    fail("matmul", "a is " + shape_text(a.shape()) + " but b is " + shape_text(b.shape()) +
                       "; they must be MxK and KxN");
  if (a.dtype() != b.dtype())
    fail("matmul", "a is " + std::string(dtype_name(a.dtype())) + " but b is " +
                       std::string(dtype_name(b.dtype())));
  int64_t m = a.dim(0), k = a.dim(1), n = b.dim(1);
  if (std::max({m, n, k}) > INT32_MAX) fail("matmul", "dimensions above 2^31 are not supported");
  Tensor c = Tensor::allocate(a.dtype(), {m, n});
  dispatch_numeric(a.dtype(), "matmul", [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_floating_point_v<T>) {
      gemm_parallel(threads_of(ctx), m, n, k, T{1}, a.as<T>(), k, b.as<T>(), n, T{0},
                    c.mutable_as<T>(), n);
    } else {
      matmul_loop(a.as<T>(), b.as<T>(), c.mutable_as<T>(), m, n, k);
    }
  });
  return one(std::move(c));
}

std::vector<KernelValue> transpose(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "transpose", "x");
  require_rank(x, 2, "transpose", "x");
  int64_t m = x.dim(0), n = x.dim(1);
  Tensor out = Tensor::allocate(x.dtype(), {n, m});
  auto rows = [&](auto fn) {
    parallel_for(threads_of(ctx), m, 64,
                 [&](int64_t lo, int64_t hi) { fn(x.data(), out.mutable_data(), m, n, lo, hi); });
  };
  switch (dtype_size(x.dtype())) {
    case 1: rows(transpose_rows<1>); break;
    case 2: rows(transpose_rows<2>); break;
    case 4: rows(transpose_rows<4>); break;
    default: rows(transpose_rows<8>); break;
  }
  return one(std::move(out));
}

}  // namespace kernels
}  // namespace flyte::rt::tensor
