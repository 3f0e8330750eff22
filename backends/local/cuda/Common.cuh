// What the CUDA plugin's translation units share: the last error's message, the check
// macro, a scoped device buffer, launch sizes, and launchers of kernels another unit
// defines.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "backends/local/runtime/gpu/FlytecCuda.h"

namespace flytec_cuda {

/// The last failure's message on this thread (last_error()).
extern thread_local std::string g_error;

/// Sets g_error to "<what>: <CUDA's message>" and returns 1.
int failed(const char* what, cudaError_t e);

#define FLYTEC_CHECK(call)                                          \
  do {                                                              \
    cudaError_t e_ = (call);                                        \
    if (e_ != cudaSuccess) return ::flytec_cuda::failed(#call, e_); \
  } while (0)

/// True when `p` is device (or managed) memory, such as device_alloc's; false for host
/// memory. CUDA's unified addressing tells them apart.
inline bool on_device(const void* p) {
  cudaPointerAttributes a{};
  if (p == nullptr || cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    (void)cudaGetLastError();  // clear it
    return false;
  }
  return a.type == cudaMemoryTypeDevice || a.type == cudaMemoryTypeManaged;
}

// A device buffer freed when it goes out of scope, unless it aliases the caller's device
// memory.
template <class T>
struct DeviceBuffer {
  T* p = nullptr;
  bool owned = true;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  cudaError_t alloc(int64_t n) {
    return cudaMalloc(reinterpret_cast<void**>(&p), sizeof(T) * static_cast<size_t>(n > 0 ? n : 1));
  }
  // The caller's output `out` itself when it is device memory, else n new elements.
  cudaError_t alloc_for(T* out, int64_t n) {
    if (on_device(out)) {
      p = out;
      owned = false;
      return cudaSuccess;
    }
    return alloc(n);
  }
  ~DeviceBuffer() {
    if (p != nullptr && owned) cudaFree(p);
  }
};

// d = the n elements at `src`: src itself when it is device memory, else a copy.
template <class T>
int upload(DeviceBuffer<T>& d, const T* src, int64_t n) {
  if (on_device(src)) {
    d.p = const_cast<T*>(src);
    d.owned = false;
    return 0;
  }
  FLYTEC_CHECK(d.alloc(n));
  if (n > 0) FLYTEC_CHECK(cudaMemcpy(d.p, src, sizeof(T) * n, cudaMemcpyHostToDevice));
  return 0;
}

// dst = the n elements at device memory d, after the kernels before it (nothing to copy
// when dst is d).
template <class T>
int download(T* dst, const T* d, int64_t n) {
  FLYTEC_CHECK(cudaGetLastError());
  if (n > 0 && dst != d) FLYTEC_CHECK(cudaMemcpy(dst, d, sizeof(T) * n, cudaMemcpyDefault));
  return 0;
}

constexpr int kThreads = 256;

inline unsigned blocks_for(int64_t n) {
  int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 65535 * 16 ? (b > 0 ? b : 1) : 65535 * 16);
}

// Grid-stride loop over [0, n).
#define FLYTEC_FOR(i, n)                                                                 \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

/// Row-wise softmax of the device buffer x[rows, cols] into out (which may be x).
void launch_softmax(const float* x, float* out, int64_t rows, int64_t cols);
/// out[r] = the first index of the largest value of row r of the device buffer x.
void launch_argmax(const float* x, int64_t* out, int64_t rows, int64_t cols);

// The std.ml entries of the table (ML.cu).
int softmax_regression_f32(const float* x, const int64_t* y, int64_t n, int64_t d, int64_t c,
                           int64_t start, int64_t epochs, float step, float* w,
                           const flytec_hooks* hooks);
int predict_f32(const float* x, const float* w, int64_t n, int64_t d, int64_t c, int64_t* out);
int kmeans_f32(const float* x, int64_t n, int64_t d, int64_t k, int64_t iters, int64_t seed,
               float* centres, const flytec_hooks* hooks);
}  // namespace flytec_cuda
