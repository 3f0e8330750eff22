// GPU benchmark of the CUDA plugin (needs a GPU; bench/tensor/gpu_bench.sh builds and
// runs it): SGEMM 8192^3 through the plugin against cuBLAS called directly, on device
// memory (the plugin's overhead) and on host memory (with the PCIe copies a node-by-node
// GPU task pays); elementwise add against the device's copy bandwidth. Prints one JSON
// object per line.
//
//   gpu_bench PLUGIN.so [N=8192] [ADD_ELEMENTS=268435456]
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "backends/local/runtime/gpu/FlytecCuda.h"

namespace {

#define CHECK(call)                                                    \
  do {                                                                 \
    cudaError_t e_ = (call);                                           \
    if (e_ != cudaSuccess) {                                           \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(e_)); \
      std::exit(1);                                                    \
    }                                                                  \
  } while (0)

// The best of `reps` timings of fn() in milliseconds (after one warm-up run).
template <class Fn>
double best_ms(int reps, Fn fn) {
  cudaEvent_t a, b;
  CHECK(cudaEventCreate(&a));
  CHECK(cudaEventCreate(&b));
  fn();
  CHECK(cudaDeviceSynchronize());
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    CHECK(cudaEventRecord(a));
    fn();
    CHECK(cudaEventRecord(b));
    CHECK(cudaEventSynchronize(b));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, a, b));
    best = ms < best ? ms : best;
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return best;
}

void report(const char* name, double ms, double work, const char* unit) {
  std::printf("{\"bench\": \"%s\", \"ms\": %.3f, \"%s\": %.1f}\n", name, ms, unit, work / ms / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gpu_bench PLUGIN.so [N] [ADD_ELEMENTS]\n");
    return 2;
  }
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  auto entry = h != nullptr
                   ? reinterpret_cast<const flytec_cuda_api* (*)()>(dlsym(h, "flytec_cuda_api_v1"))
                   : nullptr;
  const flytec_cuda_api* api = entry != nullptr ? entry() : nullptr;
  if (api == nullptr || api->abi_version != FLYTEC_CUDA_ABI_VERSION || api->device_count() < 1) {
    std::fprintf(stderr, "gpu_bench: no usable plugin or no GPU (%s)\n",
                 api != nullptr ? api->last_error() : dlerror());
    return 1;
  }
  const int64_t n = argc > 2 ? std::atoll(argv[2]) : 8192;
  const int64_t elems = argc > 3 ? std::atoll(argv[3]) : (int64_t{1} << 28);
  const size_t bytes = sizeof(float) * static_cast<size_t>(n * n);
  const double flops =
      2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);

  // SGEMM: cuBLAS directly, on device memory.
  float *a = nullptr, *b = nullptr, *c = nullptr;
  CHECK(cudaMalloc(&a, bytes));
  CHECK(cudaMalloc(&b, bytes));
  CHECK(cudaMalloc(&c, bytes));
  CHECK(cudaMemset(a, 0, bytes));
  CHECK(cudaMemset(b, 0, bytes));
  cublasHandle_t blas;
  if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS) return 1;
  const float one = 1.0f, zero = 0.0f;
  const int in = static_cast<int>(n);
  double ms = best_ms(5, [&] {
    cublasSgemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, in, in, in, &one, b, in, a, in, &zero, c, in);
  });
  report("sgemm_cublas", ms, flops / 1e6, "gflops");

  // The plugin's matmul on device memory: the same GEMM plus its handle and checks.
  auto* da = static_cast<float*>(api->device_alloc(bytes));
  auto* db = static_cast<float*>(api->device_alloc(bytes));
  auto* dc = static_cast<float*>(api->device_alloc(bytes));
  CHECK(cudaMemset(da, 0, bytes));
  CHECK(cudaMemset(db, 0, bytes));
  ms = best_ms(5, [&] { api->matmul_f32(da, db, dc, n, n, n); });
  report("sgemm_plugin_resident", ms, flops / 1e6, "gflops");

  // On host memory: what a task run node by node pays (two inputs in, one output out).
  std::vector<float> ha(static_cast<size_t>(n * n), 1.0f), hb(ha), hc(ha.size());
  ms = best_ms(2, [&] { api->matmul_f32(ha.data(), hb.data(), hc.data(), n, n, n); });
  report("sgemm_plugin_host", ms, flops / 1e6, "gflops");

  // Elementwise add over `elems` floats: 3 x 4 bytes per element moved, against a
  // device-to-device copy of the same size (2 x 4 bytes per element).
  const size_t eb = sizeof(float) * static_cast<size_t>(elems);
  auto* x = static_cast<float*>(api->device_alloc(eb));
  auto* y = static_cast<float*>(api->device_alloc(eb));
  auto* z = static_cast<float*>(api->device_alloc(eb));
  CHECK(cudaMemset(x, 0, eb));
  CHECK(cudaMemset(y, 0, eb));
  ms = best_ms(10, [&] { api->binary_f32(FLYTEC_ADD, x, y, z, elems); });
  report("add_plugin_resident", ms, 3.0 * static_cast<double>(eb) / 1e3, "gbytes_per_s");
  ms = best_ms(10, [&] { CHECK(cudaMemcpy(z, x, eb, cudaMemcpyDeviceToDevice)); });
  report("copy_device_to_device", ms, 2.0 * static_cast<double>(eb) / 1e3, "gbytes_per_s");

  for (void* p : {static_cast<void*>(da), static_cast<void*>(db), static_cast<void*>(dc),
                  static_cast<void*>(x), static_cast<void*>(y), static_cast<void*>(z)})
    api->device_free(p);
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  cublasDestroy(blas);
  return 0;
}
