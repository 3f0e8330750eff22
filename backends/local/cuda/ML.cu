// std.ml on the GPU: softmax_regression's training loop (full-batch gradient descent,
// the GEMMs through cuBLAS), predict, and kmeans (k-means++ seeding that picks the same
// rows as the CPU kernel, then Lloyd iterations). Inputs are copied to the device once;
// the host's hooks decide when weights come back for a checkpoint and when to stop.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/local/cuda/Common.cuh"
#include "backends/local/runtime/tensor/Philox.h"

namespace flytec_cuda {
namespace {

int blas_failed(const char* what, cublasStatus_t s) {
  g_error =
      std::string(what) + " failed (cuBLAS status " + std::to_string(static_cast<int>(s)) + ")";
  return 1;
}

#define FLYTEC_BLAS(call)                                           \
  do {                                                              \
    cublasStatus_t s_ = (call);                                     \
    if (s_ != CUBLAS_STATUS_SUCCESS) return blas_failed(#call, s_); \
  } while (0)

// A cuBLAS handle for one call.
struct Blas {
  cublasHandle_t h = nullptr;
  Blas() = default;
  Blas(const Blas&) = delete;
  Blas& operator=(const Blas&) = delete;
  ~Blas() {
    if (h != nullptr) cublasDestroy(h);
  }
  int create() {
    FLYTEC_BLAS(cublasCreate(&h));
    return 0;
  }
};

int ask(const flytec_hooks* hooks, int64_t done) {
  return hooks != nullptr && hooks->after_step != nullptr ? hooks->after_step(hooks->user, done)
                                                          : 0;
}

// --- softmax regression and predict ----------------------------------------------------

__global__ void ones_kernel(float* out, int64_t n) { FLYTEC_FOR(i, n) out[i] = 1.0f; }

// out[r, :] = bias[:] for each of `rows` rows.
__global__ void broadcast_rows_kernel(const float* bias, float* out, int64_t rows, int64_t cols) {
  FLYTEC_FOR(i, rows * cols) out[i] = bias[i % cols];
}

// p[r, y[r]] -= 1: the residual softmax - onehot(y).
__global__ void minus_one_hot_kernel(float* p, const int64_t* y, int64_t rows, int64_t cols) {
  FLYTEC_FOR(r, rows) p[r * cols + y[r]] -= 1.0f;
}

// out[n, c] = x[n, d] w[:d] + w[d] on the device (n >= 1).
int logits(cublasHandle_t h, const float* x, const float* w, int64_t n, int64_t d, int64_t c,
           float* out) {
  broadcast_rows_kernel<<<blocks_for(n * c), kThreads>>>(w + d * c, out, n, c);
  if (d > 0) {
    const float one = 1.0f;
    // Row-major out = x w is column-major out^T = w^T x^T.
    FLYTEC_BLAS(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(c), static_cast<int>(n),
                            static_cast<int>(d), &one, w, static_cast<int>(c), x,
                            static_cast<int>(d), &one, out, static_cast<int>(c)));
  }
  return 0;
}

// --- kmeans ------------------------------------------------------------------------------

// nearest[i] = min(nearest[i], |x[i] - centre|^2), summed in row order with each
// operation rounded on its own (no fused multiply-add), as the CPU computes it, so that
// k-means++ draws the same rows.
__global__ void nearest_kernel(const float* x, const float* centre, int64_t n, int64_t d,
                               float* nearest) {
  FLYTEC_FOR(i, n) {
    const float* a = x + i * d;
    float s = 0.0f;
    for (int64_t j = 0; j < d; ++j) {
      float t = __fsub_rn(a[j], centre[j]);
      s = __fadd_rn(s, __fmul_rn(t, t));
    }
    if (s < nearest[i]) nearest[i] = s;
  }
}

__global__ void norms_kernel(const float* centres, int64_t k, int64_t d, float* norms) {
  FLYTEC_FOR(c, k) {
    float s = 0.0f;
    for (int64_t j = 0; j < d; ++j) s += centres[c * d + j] * centres[c * d + j];
    norms[c] = s;
  }
}

// Each row's nearest centre by |c|^2 - 2 x.c (the first on ties); *moved counts the rows
// whose cluster changed. Launched with kThreads threads per block.
__global__ void assign_kernel(const float* x, const float* centres, const float* norms, int64_t n,
                              int64_t d, int64_t k, int32_t* assign, unsigned long long* moved) {
  __shared__ unsigned red[kThreads];
  unsigned local = 0;
  FLYTEC_FOR(i, n) {
    const float* a = x + i * d;
    int32_t best = 0;
    float best_v = 0.0f;
    for (int64_t c = 0; c < k; ++c) {
      const float* cc = centres + c * d;
      float dot = 0.0f;
      for (int64_t j = 0; j < d; ++j) dot += a[j] * cc[j];
      float v = -2.0f * dot + norms[c];
      if (c == 0 || v < best_v) {
        best_v = v;
        best = static_cast<int32_t>(c);
      }
    }
    if (assign[i] != best) {
      assign[i] = best;
      ++local;
    }
  }
  red[threadIdx.x] = local;
  __syncthreads();
  for (unsigned w = blockDim.x / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0 && red[0] > 0) atomicAdd(moved, static_cast<unsigned long long>(red[0]));
}

// Block b adds rows [b per, (b + 1) per) into its own sums[b][k][d] and counts[b][k]:
// thread t owns columns t, t + blockDim, ..., so no two threads write one place.
__global__ void partial_sums_kernel(const float* x, const int32_t* assign, int64_t n, int64_t d,
                                    int64_t k, int64_t per, double* sums, int64_t* counts) {
  int64_t b = blockIdx.x;
  int64_t lo = b * per, hi = lo + per < n ? lo + per : n;
  double* s = sums + b * k * d;
  for (int64_t i = lo; i < hi; ++i) {
    int64_t a = assign[i];
    for (int64_t j = threadIdx.x; j < d; j += blockDim.x)
      s[a * d + j] += static_cast<double>(x[i * d + j]);
    if (threadIdx.x == 0) counts[b * k + a] += 1;
  }
}

// centres[c] = the mean of its rows (the blocks' sums added in block order); an empty
// cluster keeps its centre.
__global__ void update_centres_kernel(const double* sums, const int64_t* counts, int64_t blocks,
                                      int64_t k, int64_t d, float* centres) {
  FLYTEC_FOR(idx, k * d) {
    int64_t c = idx / d;
    int64_t cnt = 0;
    for (int64_t b = 0; b < blocks; ++b) cnt += counts[b * k + c];
    if (cnt == 0) continue;
    double s = 0;
    for (int64_t b = 0; b < blocks; ++b) s += sums[b * k * d + idx];
    centres[idx] = static_cast<float>(s / static_cast<double>(cnt));
  }
}

// As the CPU kernel: sums of squared distances per chunk of this many rows.
constexpr int64_t kChunk = 4096;

}  // namespace

int softmax_regression_f32(const float* x, const int64_t* y, int64_t n, int64_t d, int64_t c,
                           int64_t start, int64_t epochs, float step, float* w,
                           const flytec_hooks* hooks) {
  const int64_t wsize = (d + 1) * c;
  DeviceBuffer<float> dx, dw, dp, dg, ones;
  DeviceBuffer<int64_t> dy;
  if (upload(dx, x, n * d) != 0 || upload(dy, y, n) != 0 || upload(dw, w, wsize) != 0) return 1;
  FLYTEC_CHECK(dp.alloc(n * c));
  FLYTEC_CHECK(dg.alloc(wsize));
  FLYTEC_CHECK(ones.alloc(n));
  if (n > 0) ones_kernel<<<blocks_for(n), kThreads>>>(ones.p, n);
  Blas blas;
  if (blas.create() != 0) return 1;
  const float one = 1.0f, zero = 0.0f, minus_step = -step;
  for (int64_t epoch = start; epoch < epochs; ++epoch) {
    if (n > 0) {
      if (logits(blas.h, dx.p, dw.p, n, d, c, dp.p) != 0) return 1;
      launch_softmax(dp.p, dp.p, n, c);
      minus_one_hot_kernel<<<blocks_for(n), kThreads>>>(dp.p, dy.p, n, c);
      // g[:d] = x^T p: column-major g^T[c, d] = p^T[c, n] x[n, d].
      if (d > 0)
        FLYTEC_BLAS(cublasSgemm(blas.h, CUBLAS_OP_N, CUBLAS_OP_T, static_cast<int>(c),
                                static_cast<int>(d), static_cast<int>(n), &one, dp.p,
                                static_cast<int>(c), dx.p, static_cast<int>(d), &zero, dg.p,
                                static_cast<int>(c)));
      // g[d] = the column sums of p.
      FLYTEC_BLAS(cublasSgemv(blas.h, CUBLAS_OP_N, static_cast<int>(c), static_cast<int>(n), &one,
                              dp.p, static_cast<int>(c), ones.p, 1, &zero, dg.p + d * c, 1));
      FLYTEC_BLAS(cublasSaxpy(blas.h, static_cast<int>(wsize), &minus_step, dg.p, 1, dw.p, 1));
    }
    FLYTEC_CHECK(cudaGetLastError());
    int what = ask(hooks, epoch + 1);
    if ((what & (FLYTEC_EPOCH_SAVE | FLYTEC_EPOCH_STOP)) != 0 && download(w, dw.p, wsize) != 0)
      return 1;
    if ((what & FLYTEC_EPOCH_SAVE) != 0 && hooks->save != nullptr &&
        hooks->save(hooks->user, epoch + 1, w) != 0) {
      g_error = "saving a checkpoint failed";
      return 1;
    }
    if ((what & FLYTEC_EPOCH_STOP) != 0) return FLYTEC_STOPPED;
  }
  return download(w, dw.p, wsize);
}

int predict_f32(const float* x, const float* w, int64_t n, int64_t d, int64_t c, int64_t* out) {
  DeviceBuffer<float> dx, dw, dl;
  DeviceBuffer<int64_t> dout;
  if (upload(dx, x, n * d) != 0 || upload(dw, w, (d + 1) * c) != 0) return 1;
  FLYTEC_CHECK(dl.alloc(n * c));
  FLYTEC_CHECK(dout.alloc_for(out, n));
  if (n > 0 && c > 0) {
    Blas blas;
    if (blas.create() != 0 || logits(blas.h, dx.p, dw.p, n, d, c, dl.p) != 0) return 1;
    launch_argmax(dl.p, dout.p, n, c);
  }
  return download(out, dout.p, n);
}

int kmeans_f32(const float* x, int64_t n, int64_t d, int64_t k, int64_t iters, int64_t seed,
               float* centres, const flytec_hooks* hooks) {
  using flyte::rt::tensor::philox_uniform;
  using flyte::rt::tensor::RandomStream;
  DeviceBuffer<float> dx, dc, dnear, dnorms;
  if (upload(dx, x, n * d) != 0) return 1;
  FLYTEC_CHECK(dc.alloc_for(centres, k * d));
  FLYTEC_CHECK(dnorms.alloc(k));
  std::vector<float> nearest(static_cast<size_t>(n), INFINITY);
  if (upload(dnear, nearest.data(), n) != 0) return 1;

  // k-means++, the CPU kernel's draws: the distances on the device, the choice here.
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> chunk_sum(static_cast<size_t>(chunks));
  auto pick = [&](int64_t c, int64_t row) -> int {
    FLYTEC_CHECK(
        cudaMemcpy(dc.p + c * d, dx.p + row * d, sizeof(float) * d, cudaMemcpyDeviceToDevice));
    nearest_kernel<<<blocks_for(n), kThreads>>>(dx.p, dc.p + c * d, n, d, dnear.p);
    if (download(nearest.data(), dnear.p, n) != 0) return 1;
    for (int64_t ch = 0; ch < chunks; ++ch) {
      double s = 0;
      for (int64_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i)
        s += nearest[static_cast<size_t>(i)];
      chunk_sum[static_cast<size_t>(ch)] = s;
    }
    return 0;
  };
  auto first =
      static_cast<int64_t>(static_cast<double>(philox_uniform(seed, RandomStream::KMeansInit, 0)) *
                           static_cast<double>(n));
  if (pick(0, std::min(first, n - 1)) != 0) return 1;
  for (int64_t c = 1; c < k; ++c) {
    if ((ask(hooks, 0) & FLYTEC_EPOCH_STOP) != 0) return FLYTEC_STOPPED;
    double total = 0;
    for (double s : chunk_sum) total += s;
    double u = philox_uniform(seed, RandomStream::KMeansInit, static_cast<uint64_t>(c));
    auto row = static_cast<int64_t>(u * static_cast<double>(n));
    if (total > 0) {
      double target = u * total, acc = 0;
      int64_t ch = 0;
      while (ch + 1 < chunks && acc + chunk_sum[static_cast<size_t>(ch)] <= target)
        acc += chunk_sum[static_cast<size_t>(ch++)];
      row = std::min(n, (ch + 1) * kChunk) - 1;
      for (int64_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) {
        acc += nearest[static_cast<size_t>(i)];
        if (acc > target && nearest[static_cast<size_t>(i)] > 0) {
          row = i;
          break;
        }
      }
    }
    if (pick(c, std::min(row, n - 1)) != 0) return 1;
  }

  // Lloyd: per-block partial sums, at most ~256 MiB of them.
  const int64_t per_block = k * d * static_cast<int64_t>(sizeof(double));
  int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>({n, 1024, (int64_t{256} << 20) / per_block}));
  const int64_t per = (n + blocks - 1) / blocks;
  blocks = (n + per - 1) / per;
  DeviceBuffer<int32_t> dassign;
  DeviceBuffer<unsigned long long> dmoved;
  DeviceBuffer<double> dsums;
  DeviceBuffer<int64_t> dcounts;
  FLYTEC_CHECK(dassign.alloc(n));
  FLYTEC_CHECK(dmoved.alloc(1));
  FLYTEC_CHECK(dsums.alloc(blocks * k * d));
  FLYTEC_CHECK(dcounts.alloc(blocks * k));
  FLYTEC_CHECK(cudaMemset(dassign.p, 0xff, sizeof(int32_t) * n));  // -1: no cluster yet
  for (int64_t it = 0; it < iters; ++it) {
    if ((ask(hooks, it) & FLYTEC_EPOCH_STOP) != 0) return FLYTEC_STOPPED;
    norms_kernel<<<blocks_for(k), kThreads>>>(dc.p, k, d, dnorms.p);
    FLYTEC_CHECK(cudaMemset(dmoved.p, 0, sizeof(unsigned long long)));
    assign_kernel<<<blocks_for(n), kThreads>>>(dx.p, dc.p, dnorms.p, n, d, k, dassign.p, dmoved.p);
    unsigned long long moved = 0;
    if (download(&moved, dmoved.p, 1) != 0) return 1;
    if (moved == 0) break;  // converged: the centres would not change
    FLYTEC_CHECK(cudaMemset(dsums.p, 0, sizeof(double) * blocks * k * d));
    FLYTEC_CHECK(cudaMemset(dcounts.p, 0, sizeof(int64_t) * blocks * k));
    partial_sums_kernel<<<static_cast<unsigned>(blocks), kThreads>>>(dx.p, dassign.p, n, d, k, per,
                                                                     dsums.p, dcounts.p);
    update_centres_kernel<<<blocks_for(k * d), kThreads>>>(dsums.p, dcounts.p, blocks, k, d, dc.p);
  }
  return download(centres, dc.p, k * d);
}

}  // namespace flytec_cuda
