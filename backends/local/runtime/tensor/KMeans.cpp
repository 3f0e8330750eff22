// ml.kmeans: seeded k-means++ initialisation, then Lloyd iterations with distances from
// dot products (|x - c|^2 = |x|^2 - 2 x.c + |c|^2, and |x|^2 does not change the nearest
// c), taken per block of rows by the hand-vectorised add_row_dots: at D = 16 and k = 8 a
// BLAS call per block costs more in packing than the arithmetic.
//
// k-means++ (Arthur and Vassilvitskii, 2007): the first centre is row floor(u0 * N), each
// next one is drawn with probability proportional to its squared distance to the nearest
// chosen centre, by the uniform u_c of Philox stream 3 (index c). Lloyd's iterations stop
// after `iters`, or earlier when no row changes its cluster; an empty cluster keeps its
// centre.
#include <cstring>
#include <limits>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"
#include "backends/local/runtime/tensor/Philox.h"
#include "backends/local/runtime/tensor/SoftmaxGradient.h"

namespace flyte::rt::tensor::kernels {

namespace {

constexpr int64_t kBlockRows = 256;
// Sums of squared distances are taken per chunk of this many rows, then over chunks in
// order, so the draws do not depend on the thread count.
constexpr int64_t kChunk = 4096;

float squared_distance(const float* a, const float* b, int64_t d) {
  float s = 0;
  for (int64_t j = 0; j < d; ++j) {
    float t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

}  // namespace

std::vector<KernelValue> kmeans(std::span<const KernelValue> args, KernelContext& ctx) {
  constexpr std::string_view kName = "kmeans";
  const Tensor& x = arg<Tensor>(args, 0, kName, "x");
  int64_t k = arg<int64_t>(args, 1, kName, "k");
  int64_t iters = arg<int64_t>(args, 2, kName, "iters");
  int64_t seed = arg_or<int64_t>(args, 3, kName, "seed", 0);
  require_rank(x, 2, kName, "x");
  if (x.dtype() != DType::F32)
    fail(kName, "x must be f32, not " + std::string(dtype_name(x.dtype())));
  int64_t n = x.dim(0), d = x.dim(1);
  if (k < 1) fail(kName, "k must be at least 1, got " + std::to_string(k));
  if (k > n)
    fail(kName, "k is " + std::to_string(k) + " but x has only " + std::to_string(n) + " rows");
  if (iters < 0) fail(kName, "iters must not be negative, got " + std::to_string(iters));
  if (std::max({n, d, k}) > INT32_MAX) fail(kName, "dimensions above 2^31 are not supported");
  if (d == 0) return one(Tensor::allocate(DType::F32, {k, 0}));
  const int threads = threads_of(ctx);
  const float* xp = x.as<float>();
  Tensor centres = Tensor::allocate(DType::F32, {k, d});
  float* cp = centres.mutable_as<float>();

  // k-means++.
  std::vector<float> nearest(static_cast<size_t>(n), std::numeric_limits<float>::infinity());
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> chunk_sum(static_cast<size_t>(chunks));
  auto pick = [&](int64_t c, int64_t row) {
    std::memcpy(cp + c * d, xp + row * d, sizeof(float) * static_cast<size_t>(d));
    parallel_for(threads, chunks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t ch = lo; ch < hi; ++ch) {
        double s = 0;
        for (int64_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) {
          float dist = squared_distance(xp + i * d, cp + c * d, d);
          float& m = nearest[static_cast<size_t>(i)];
          if (dist < m) m = dist;
          s += m;
        }
        chunk_sum[static_cast<size_t>(ch)] = s;
      }
    });
  };
  auto first =
      static_cast<int64_t>(static_cast<double>(philox_uniform(seed, RandomStream::KMeansInit, 0)) *
                           static_cast<double>(n));
  pick(0, std::min(first, n - 1));
  for (int64_t c = 1; c < k; ++c) {
    check_cancelled(ctx);
    double total = 0;
    for (double s : chunk_sum) total += s;
    double u = philox_uniform(seed, RandomStream::KMeansInit, static_cast<uint64_t>(c));
    int64_t row = static_cast<int64_t>(u * static_cast<double>(n));
    if (total > 0) {
      double target = u * total, acc = 0;
      int64_t ch = 0;
      while (ch + 1 < chunks && acc + chunk_sum[static_cast<size_t>(ch)] <= target)
        acc += chunk_sum[static_cast<size_t>(ch++)];
      row = std::min(n, (ch + 1) * kChunk) - 1;  // the last row of the chunk, if rounding runs out
      for (int64_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) {
        acc += nearest[static_cast<size_t>(i)];
        if (acc > target && nearest[static_cast<size_t>(i)] > 0) {
          row = i;
          break;
        }
      }
    }
    pick(c, std::min(row, n - 1));
  }

  // Lloyd.
  std::vector<int64_t> assign(static_cast<size_t>(n), -1);
  const int parts = std::max(1, parallel_parts(threads, n, kBlockRows));
  std::vector<std::vector<double>> sums(static_cast<size_t>(parts));
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(parts));
  std::vector<int64_t> changed(static_cast<size_t>(parts));
  std::vector<float> norms(static_cast<size_t>(k));
  for (int64_t it = 0; it < iters; ++it) {
    check_cancelled(ctx);
    for (int64_t c = 0; c < k; ++c) {
      float s = 0;
      for (int64_t j = 0; j < d; ++j) s += cp[c * d + j] * cp[c * d + j];
      norms[static_cast<size_t>(c)] = s;
    }
    parallel_parts_for(threads, n, kBlockRows, [&](int part, int64_t lo, int64_t hi) {
      auto& sum = sums[static_cast<size_t>(part)];
      auto& count = counts[static_cast<size_t>(part)];
      sum.assign(static_cast<size_t>(k * d), 0.0);
      count.assign(static_cast<size_t>(k), 0);
      int64_t moved = 0;
      std::vector<float> dots(static_cast<size_t>(kBlockRows * k));
      std::vector<float> block_sum(static_cast<size_t>(k * d));
      for (int64_t r0 = lo; r0 < hi; r0 += kBlockRows) {
        int64_t rows = std::min(kBlockRows, hi - r0);
        const float* xb = xp + r0 * d;
        std::fill(dots.begin(), dots.begin() + rows * k, 0.0f);
        add_row_dots(xb, rows, d, k, cp, dots.data());
        int64_t* a = assign.data() + r0;
        for (int64_t r = 0; r < rows; ++r) {
          const float* dr = dots.data() + r * k;
          int64_t best = 0;
          float best_v = norms[0] - 2.0f * dr[0];
          for (int64_t c = 1; c < k; ++c) {
            float v = norms[static_cast<size_t>(c)] - 2.0f * dr[c];
            bool closer = v < best_v;  // branch-free: which centre wins is unpredictable
            best_v = closer ? v : best_v;
            best = closer ? c : best;
          }
          moved += a[r] != best ? 1 : 0;
          a[r] = best;
          ++count[static_cast<size_t>(best)];
        }
        // The block's sums in float (at most kBlockRows rows each), then into double.
        std::fill(block_sum.begin(), block_sum.end(), 0.0f);
        add_rows_by_label(xb, a, rows, d, block_sum.data());
        for (size_t i = 0; i < block_sum.size(); ++i) sum[i] += block_sum[i];
      }
      changed[static_cast<size_t>(part)] = moved;
    });
    int64_t moved = 0;
    for (int p = 0; p < parts; ++p) moved += changed[static_cast<size_t>(p)];
    if (moved == 0) break;  // converged: the centres would not change
    for (int64_t c = 0; c < k; ++c) {
      int64_t cnt = 0;
      for (int p = 0; p < parts; ++p) cnt += counts[static_cast<size_t>(p)][static_cast<size_t>(c)];
      if (cnt == 0) continue;
      for (int64_t j = 0; j < d; ++j) {
        double s = 0;
        for (int p = 0; p < parts; ++p)
          s += sums[static_cast<size_t>(p)][static_cast<size_t>(c * d + j)];
        cp[c * d + j] = static_cast<float>(s / static_cast<double>(cnt));
      }
    }
  }
  return one(std::move(centres));
}

}  // namespace flyte::rt::tensor::kernels
