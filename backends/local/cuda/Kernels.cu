// The CUDA plugin's kernels and its exported table (FlytecCuda.h): elementwise ops,
// reductions, softmax, argmax, one_hot, transpose, Philox random, and GEMM through
// cuBLAS (std.ml's kernels are in ML.cu). Every entry copies its inputs to
// the device, runs, and copies its outputs back; errors become a message for
// last_error() and a nonzero return.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "backends/local/cuda/Common.cuh"
#include "backends/local/runtime/gpu/FlytecCuda.h"

namespace flytec_cuda {

thread_local std::string g_error;

int failed(const char* what, cudaError_t e) {
  g_error = std::string(what) + ": " + cudaGetErrorString(e);
  return 1;
}

}  // namespace flytec_cuda

namespace {

using namespace flytec_cuda;

// --- Philox4x32-10, exactly as backends/local/runtime/tensor/Philox.h -------------------

__device__ void philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
  const uint64_t m0 = 0xD2511F53, m1 = 0xCD9E8D57;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = m0 * c[0], p1 = m1 * c[2];
    uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0;
    uint32_t n1 = static_cast<uint32_t>(p1);
    uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1;
    uint32_t n3 = static_cast<uint32_t>(p0);
    c[0] = n0;
    c[1] = n1;
    c[2] = n2;
    c[3] = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

__global__ void random_kernel(float* out, int64_t n, uint64_t seed, uint32_t stream, int normal) {
  FLYTEC_FOR(i, n) {
    uint64_t u = static_cast<uint64_t>(i);
    uint32_t c[4] = {static_cast<uint32_t>(u), static_cast<uint32_t>(u >> 32), stream, 0};
    philox(c, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
    if (normal) {
      double u1 = static_cast<double>((c[0] >> 8) + 1) * 0x1p-24;
      double u2 = static_cast<double>(c[1] >> 8) * 0x1p-24;
      out[i] = static_cast<float>(sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2));
    } else {
      out[i] = static_cast<float>(c[0] >> 8) * 0x1p-24f;
    }
  }
}

// --- elementwise ----------------------------------------------------------------------

__global__ void fill_kernel(float* out, int64_t n, float v) { FLYTEC_FOR(i, n) out[i] = v; }

__global__ void binary_kernel(int op, const float* a, const float* b, float* out, int64_t n) {
  FLYTEC_FOR(i, n) {
    float x = a[i], y = b[i];
    out[i] = op == FLYTEC_ADD ? x + y : op == FLYTEC_SUB ? x - y : op == FLYTEC_MUL ? x * y : x / y;
  }
}

__global__ void unary_kernel(int op, const float* x, float* out, int64_t n, float arg) {
  FLYTEC_FOR(i, n) {
    float v = x[i];
    float r = v;
    switch (op) {
      case FLYTEC_SCALE: r = v * arg; break;
      case FLYTEC_RELU: r = v > 0.0f ? v : 0.0f; break;
      case FLYTEC_SIGMOID:
        if (v >= 0.0f) {
          r = 1.0f / (1.0f + expf(-v));
        } else {
          float e = expf(v);
          r = e / (1.0f + e);
        }
        break;
      case FLYTEC_TANH: r = tanhf(v); break;
      case FLYTEC_EXP: r = expf(v); break;
      case FLYTEC_LOG: r = logf(v); break;
      default: break;
    }
    out[i] = r;
  }
}

// --- reductions and rows --------------------------------------------------------------

__global__ void sum_kernel(const float* x, int64_t n, double* total) {
  __shared__ double part[kThreads];
  double s = 0;
  FLYTEC_FOR(i, n) s += static_cast<double>(x[i]);
  part[threadIdx.x] = s;
  __syncthreads();
  for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(total, part[0]);
}

// One block per row: the row's maximum, the sum of exponentials, then the outputs.
__global__ void softmax_kernel(const float* x, float* out, int64_t rows, int64_t cols) {
  __shared__ float red[kThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    float m = -INFINITY;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, in[j]);
    red[threadIdx.x] = m;
    __syncthreads();
    for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) red[threadIdx.x] = fmaxf(red[threadIdx.x], red[threadIdx.x + w]);
      __syncthreads();
    }
    m = red[0];
    __syncthreads();
    float s = 0;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      float e = expf(in[j] - m);
      o[j] = e;
      s += e;
    }
    red[threadIdx.x] = s;
    __syncthreads();
    for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
      __syncthreads();
    }
    s = red[0];
    __syncthreads();
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) o[j] /= s;
  }
}

// One thread per row: the first index of the row's largest value (NaN never wins).
__global__ void argmax_kernel(const float* x, int64_t* out, int64_t rows, int64_t cols) {
  FLYTEC_FOR(r, rows) {
    const float* in = x + r * cols;
    int64_t best = 0;
    for (int64_t j = 1; j < cols; ++j) {
      if (in[j] > in[best]) best = j;
    }
    out[r] = best;
  }
}

__global__ void one_hot_kernel(const int64_t* y, float* out, int64_t n, int64_t classes, int* bad) {
  FLYTEC_FOR(i, n * classes) {
    int64_t r = i / classes, c = i % classes;
    int64_t l = y[r];
    if (c == 0 && (l < 0 || l >= classes)) atomicExch(bad, 1);
    out[i] = l == c ? 1.0f : 0.0f;
  }
}

__global__ void transpose_kernel(const float* x, float* out, int64_t rows, int64_t cols) {
  FLYTEC_FOR(i, rows * cols) {
    int64_t r = i / cols, c = i % cols;
    out[c * rows + r] = x[i];
  }
}

}  // namespace

namespace flytec_cuda {

void launch_softmax(const float* x, float* out, int64_t rows, int64_t cols) {
  if (rows > 0 && cols > 0) {
    unsigned grid = static_cast<unsigned>(rows < 65535 ? rows : 65535);
    softmax_kernel<<<grid, kThreads>>>(x, out, rows, cols);
  }
}

void launch_argmax(const float* x, int64_t* out, int64_t rows, int64_t cols) {
  if (rows > 0 && cols > 0) argmax_kernel<<<blocks_for(rows), kThreads>>>(x, out, rows, cols);
}

}  // namespace flytec_cuda

namespace {

// --- entries --------------------------------------------------------------------------

int device_count() {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    failed("cudaGetDeviceCount", e);
    return 0;
  }
  return n;
}

const char* last_error() { return g_error.c_str(); }

int fill_f32(float* out, int64_t n, float value) {
  DeviceBuffer<float> d;
  FLYTEC_CHECK(d.alloc_for(out, n));
  if (n > 0) fill_kernel<<<blocks_for(n), kThreads>>>(d.p, n, value);
  return download(out, d.p, n);
}

int random_f32(float* out, int64_t n, int64_t seed, uint32_t stream, int normal) {
  DeviceBuffer<float> d;
  FLYTEC_CHECK(d.alloc_for(out, n));
  if (n > 0)
    random_kernel<<<blocks_for(n), kThreads>>>(d.p, n, static_cast<uint64_t>(seed), stream, normal);
  return download(out, d.p, n);
}

int matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n) {
  DeviceBuffer<float> da, db, dc;
  if (upload(da, a, m * k) != 0 || upload(db, b, k * n) != 0) return 1;
  FLYTEC_CHECK(dc.alloc_for(c, m * n));
  if (m > 0 && n > 0) {
    if (k == 0) {
      FLYTEC_CHECK(cudaMemset(dc.p, 0, sizeof(float) * m * n));
    } else {
      cublasHandle_t h = nullptr;
      if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) {
        g_error = "cublasCreate failed";
        return 1;
      }
      const float one = 1.0f, zero = 0.0f;
      // Row-major C = A B is column-major C^T = B^T A^T: swap the operands.
      cublasStatus_t s =
          cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
                      static_cast<int>(k), &one, db.p, static_cast<int>(n), da.p,
                      static_cast<int>(k), &zero, dc.p, static_cast<int>(n));
      cublasDestroy(h);
      if (s != CUBLAS_STATUS_SUCCESS) {
        g_error = "cublasSgemm failed (status " + std::to_string(static_cast<int>(s)) + ")";
        return 1;
      }
    }
  }
  return download(c, dc.p, m * n);
}

int binary_f32(int op, const float* a, const float* b, float* out, int64_t n) {
  DeviceBuffer<float> da, db, dout;
  if (upload(da, a, n) != 0 || upload(db, b, n) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, n));
  if (n > 0) binary_kernel<<<blocks_for(n), kThreads>>>(op, da.p, db.p, dout.p, n);
  return download(out, dout.p, n);
}

int unary_f32(int op, const float* x, float* out, int64_t n, double arg) {
  DeviceBuffer<float> dx, dout;
  if (upload(dx, x, n) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, n));
  if (n > 0)
    unary_kernel<<<blocks_for(n), kThreads>>>(op, dx.p, dout.p, n, static_cast<float>(arg));
  return download(out, dout.p, n);
}

int sum_f32(const float* x, int64_t n, double* sum) {
  DeviceBuffer<float> dx;
  DeviceBuffer<double> dt;
  if (upload(dx, x, n) != 0) return 1;
  FLYTEC_CHECK(dt.alloc(1));
  FLYTEC_CHECK(cudaMemset(dt.p, 0, sizeof(double)));
  if (n > 0) sum_kernel<<<blocks_for(n), kThreads>>>(dx.p, n, dt.p);
  return download(sum, dt.p, 1);
}

int softmax_f32(const float* x, float* out, int64_t rows, int64_t cols) {
  DeviceBuffer<float> dx, dout;
  if (upload(dx, x, rows * cols) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, rows * cols));
  launch_softmax(dx.p, dout.p, rows, cols);
  return download(out, dout.p, rows * cols);
}

int argmax_f32(const float* x, int64_t* out, int64_t rows, int64_t cols) {
  DeviceBuffer<float> dx;
  DeviceBuffer<int64_t> dout;
  if (upload(dx, x, rows * cols) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, rows));
  launch_argmax(dx.p, dout.p, rows, cols);
  return download(out, dout.p, rows);
}

int one_hot(const int64_t* y, float* out, int64_t n, int64_t classes) {
  DeviceBuffer<int64_t> dy;
  DeviceBuffer<float> dout;
  DeviceBuffer<int> dbad;
  if (upload(dy, y, n) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, n * classes));
  FLYTEC_CHECK(dbad.alloc(1));
  FLYTEC_CHECK(cudaMemset(dbad.p, 0, sizeof(int)));
  if (n > 0 && classes > 0)
    one_hot_kernel<<<blocks_for(n * classes), kThreads>>>(dy.p, dout.p, n, classes, dbad.p);
  int bad = 0;
  if (download(&bad, dbad.p, 1) != 0) return 1;
  if (bad != 0) {
    g_error = "a label is outside [0, classes)";
    return 1;
  }
  return download(out, dout.p, n * classes);
}

int transpose_f32(const float* x, float* out, int64_t rows, int64_t cols) {
  DeviceBuffer<float> dx, dout;
  if (upload(dx, x, rows * cols) != 0) return 1;
  FLYTEC_CHECK(dout.alloc_for(out, rows * cols));
  if (rows > 0 && cols > 0)
    transpose_kernel<<<blocks_for(rows * cols), kThreads>>>(dx.p, dout.p, rows, cols);
  return download(out, dout.p, rows * cols);
}

void* device_alloc(size_t bytes) {
  void* p = nullptr;
  cudaError_t e = cudaMalloc(&p, bytes > 0 ? bytes : 1);
  if (e != cudaSuccess) {
    failed("cudaMalloc", e);
    return nullptr;
  }
  return p;
}

void device_free(void* p) {
  if (p != nullptr) cudaFree(p);
}

int copy(void* dst, const void* src, size_t bytes) {
  FLYTEC_CHECK(cudaGetLastError());
  if (bytes > 0) FLYTEC_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault));
  return 0;
}

const flytec_cuda_api kApi = {
    FLYTEC_CUDA_ABI_VERSION,
    sizeof(flytec_cuda_api),
    &device_count,
    &last_error,
    &fill_f32,
    &random_f32,
    &matmul_f32,
    &binary_f32,
    &unary_f32,
    &sum_f32,
    &softmax_f32,
    &argmax_f32,
    &one_hot,
    &transpose_f32,
    &flytec_cuda::softmax_regression_f32,
    &flytec_cuda::predict_f32,
    &flytec_cuda::kmeans_f32,
    &device_alloc,
    &device_free,
    &copy,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const flytec_cuda_api* flytec_cuda_api_v1(void) {
  return &kApi;
}
