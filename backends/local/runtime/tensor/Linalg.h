// Matrix products for the kernels: C = alpha * op(A) * op(B) + beta * C through cblas,
// split over threads by blocks of C's rows (or columns), one single-threaded cblas call
// per thread (see Parallel.h).
#pragma once

#include <cstdint>

namespace flyte::rt::tensor {

/// Row-major C[m x n] = alpha * A[m x k] * B[k x n] + beta * C, with leading dimensions
/// lda, ldb, ldc; parallel over `threads`.
void gemm(int threads, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(int threads, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace flyte::rt::tensor
