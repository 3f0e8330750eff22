// Benchmarks of the CPU tensor kernels (Google Benchmark): SGEMM through tensor.matmul
// against cblas_sgemm called directly, one epoch of ml.softmax_regression on 60000 x 784
// with 10 classes, and ml.kmeans on 1,000,000 x 16 with k = 8 and 20 iterations. The
// NumPy and scikit-learn sides are bench/tensor/numpy_bench.py; bench/tensor/run.sh runs
// both. Kernels use every hardware thread (KernelContext::threads), as does OpenBLAS in
// the direct baseline.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <thread>

#include "backends/local/runtime/tensor/Kernel.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace flyte::rt::tensor {
namespace {

int hw_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

KernelContext context() {
  KernelContext ctx;
  ctx.threads = hw_threads();
  return ctx;
}

Tensor call1(std::string_view name, std::vector<KernelValue> args, KernelContext ctx) {
  return std::get<Tensor>(find_kernel(name)->cpu(args, ctx).at(0));
}

Tensor random_matrix(int64_t rows, int64_t cols, int64_t seed) {
  return call1("tensor.random", {std::vector<int64_t>{rows, cols}, seed, std::string("normal")},
               context());
}

void set_flops(benchmark::State& state, double flops_per_iter) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops_per_iter * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void BM_SgemmKernel(benchmark::State& state) {
  int64_t n = state.range(0);
  Tensor a = random_matrix(n, n, 1), b = random_matrix(n, n, 2);
  KernelContext ctx = context();
  const KernelInfo* k = find_kernel("tensor.matmul");
  std::vector<KernelValue> args = {a, b};
  for (auto _ : state) benchmark::DoNotOptimize(k->cpu(args, ctx));
  set_flops(state, 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n));
}

void BM_SgemmCblasDirect(benchmark::State& state) {
  int64_t n = state.range(0);
  Tensor a = random_matrix(n, n, 1), b = random_matrix(n, n, 2);
  Tensor c = Tensor::allocate(DType::F32, {n, n});
  // OpenBLAS's own threading, as a program calling it directly would use it; back to one
  // thread afterwards, which the kernels expect.
  openblas_set_num_threads(hw_threads());
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n), static_cast<int>(n),
                static_cast<int>(n), 1.0f, a.as<float>(), static_cast<int>(n), b.as<float>(),
                static_cast<int>(n), 0.0f, c.mutable_as<float>(), static_cast<int>(n));
    benchmark::ClobberMemory();
  }
  openblas_set_num_threads(1);
  set_flops(state, 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n));
}

void BM_SoftmaxRegressionEpoch(benchmark::State& state) {
  KernelContext ctx = context();
  auto data = find_kernel("ml.make_blobs")
                  ->cpu(std::vector<KernelValue>{int64_t{60000}, int64_t{784}, int64_t{10},
                                                 int64_t{0}, 1.0},
                        ctx);
  std::vector<KernelValue> args = {data.at(0), data.at(1), int64_t{10}, int64_t{1}, 0.1};
  const KernelInfo* k = find_kernel("ml.softmax_regression");
  for (auto _ : state) benchmark::DoNotOptimize(k->cpu(args, ctx));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 60000 * 784 * 4);
}

void BM_KMeans(benchmark::State& state) {
  KernelContext ctx = context();
  Tensor x = random_matrix(1'000'000, 16, 3);
  std::vector<KernelValue> args = {x, int64_t{8}, int64_t{20}, int64_t{0}};
  const KernelInfo* k = find_kernel("ml.kmeans");
  for (auto _ : state) benchmark::DoNotOptimize(k->cpu(args, ctx));
}

BENCHMARK(BM_SgemmKernel)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SgemmCblasDirect)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftmaxRegressionEpoch)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KMeans)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace flyte::rt::tensor

BENCHMARK_MAIN();
