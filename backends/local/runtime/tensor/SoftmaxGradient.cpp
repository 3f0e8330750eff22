// The fused softmax-regression block (see SoftmaxGradient.h). Classes are taken in groups
// of 8, 4, 2 and 1 so that a group's accumulators stay in registers: the forward pass
// reads two rows of x per step against a group of rows of wt, the backward pass keeps a
// group's slice of 16 gradient columns in registers across all the block's rows. The
// file is compiled with -ffp-contract=fast so that the multiply-adds fuse.
#include "backends/local/runtime/tensor/SoftmaxGradient.h"

#include <algorithm>
#include <cstring>

#include "backends/local/runtime/tensor/Softmax.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__) && \
    !defined(__SANITIZE_ADDRESS__)
#define FLYTEC_SIMD_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define FLYTEC_SIMD_CLONES
#endif

namespace flyte::rt::tensor {

namespace {

constexpr int kLanes = 16;
using Vec = float __attribute__((vector_size(kLanes * sizeof(float))));
// How many rows ahead the forward pass prefetches x (8 to 16 measured best, 4 slower).
constexpr int kPrefetchRows = 8;
using Half = float __attribute__((vector_size(kLanes / 2 * sizeof(float))));
using Quarter = float __attribute__((vector_size(kLanes / 4 * sizeof(float))));

// The sum of v's lanes, by halving (two vector adds, then four scalars).
[[gnu::always_inline]] inline float lane_sum(const Vec& v) {
  Half s = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
           __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  Quarter t = __builtin_shufflevector(s, s, 0, 1, 2, 3) + __builtin_shufflevector(s, s, 4, 5, 6, 7);
  return (t[0] + t[1]) + (t[2] + t[3]);
}

// acc[r * CG + j] accumulates row r of x times row j of wt, lane by lane.
template <int CG, int R>
[[gnu::always_inline]] inline void logits_rows(const float* x, int64_t d, const float* wt,
                                               float* out, int64_t c) {
  Vec acc[R * CG] = {};
  int64_t k = 0;
  for (; k + kLanes <= d; k += kLanes) {
    Vec xv[R];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      std::memcpy(&xv[r], x + r * d + k, sizeof(Vec));
      // Rows the later calls read, into L2 (x streams from memory once; prefetching into
      // L1 instead ran out of fill buffers and stalled).
      __builtin_prefetch(x + (r + kPrefetchRows) * d + k, 0, 2);
    }
#pragma GCC unroll 16
    for (int j = 0; j < CG; ++j) {
      Vec w;
      std::memcpy(&w, wt + j * d + k, sizeof(Vec));
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) acc[r * CG + j] += xv[r] * w;
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (int j = 0; j < CG; ++j) {
      float s = lane_sum(acc[r * CG + j]);
      for (int64_t t = k; t < d; ++t) s += x[r * d + t] * wt[j * d + t];
      out[r * c + j] += s;
    }
}

// out[r, j] += x[r, :] . wt[j, :] for the block's rows and the group's CG classes.
template <int CG>
[[gnu::always_inline]] inline void logits_group(const float* x, int64_t rows, int64_t d,
                                                const float* wt, float* out, int64_t c) {
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2) logits_rows<CG, 2>(x + r * d, d, wt, out + r * c, c);
  if (r < rows) logits_rows<CG, 1>(x + r * d, d, wt, out + r * c, c);
}

// gt[j, :] += sum over rows r of p[r, j] * x[r, :] for the group's CG classes.
template <int CG>
[[gnu::always_inline]] inline void gradient_group(const float* x, int64_t rows, int64_t d,
                                                  const float* p, int64_t c, float* gt) {
  int64_t k = 0;
  for (; k + kLanes <= d; k += kLanes) {
    Vec acc[CG];
#pragma GCC unroll 16
    for (int j = 0; j < CG; ++j) std::memcpy(&acc[j], gt + j * d + k, sizeof(Vec));
    for (int64_t r = 0; r < rows; ++r) {
      Vec xv;
      std::memcpy(&xv, x + r * d + k, sizeof(Vec));
#pragma GCC unroll 16
      for (int j = 0; j < CG; ++j) acc[j] += xv * p[r * c + j];
    }
#pragma GCC unroll 16
    for (int j = 0; j < CG; ++j) std::memcpy(gt + j * d + k, &acc[j], sizeof(Vec));
  }
  for (; k < d; ++k)
#pragma GCC unroll 16
    for (int j = 0; j < CG; ++j) {
      float s = gt[j * d + k];
      for (int64_t r = 0; r < rows; ++r) s += p[r * c + j] * x[r * d + k];
      gt[j * d + k] = s;
    }
}

FLYTEC_SIMD_CLONES
void logits_block(const float* x, int64_t rows, int64_t d, int64_t c, const float* wt, float* p) {
  int64_t j0 = 0;
  for (; j0 + 8 <= c; j0 += 8) logits_group<8>(x, rows, d, wt + j0 * d, p + j0, c);
  if (j0 + 4 <= c) {
    logits_group<4>(x, rows, d, wt + j0 * d, p + j0, c);
    j0 += 4;
  }
  if (j0 + 2 <= c) {
    logits_group<2>(x, rows, d, wt + j0 * d, p + j0, c);
    j0 += 2;
  }
  if (j0 < c) logits_group<1>(x, rows, d, wt + j0 * d, p + j0, c);
}

FLYTEC_SIMD_CLONES
void gradient_block(const float* x, int64_t rows, int64_t d, int64_t c, const float* p, float* gt) {
  int64_t j0 = 0;
  for (; j0 + 8 <= c; j0 += 8) gradient_group<8>(x, rows, d, p + j0, c, gt + j0 * d);
  if (j0 + 4 <= c) {
    gradient_group<4>(x, rows, d, p + j0, c, gt + j0 * d);
    j0 += 4;
  }
  if (j0 + 2 <= c) {
    gradient_group<2>(x, rows, d, p + j0, c, gt + j0 * d);
    j0 += 2;
  }
  if (j0 < c) gradient_group<1>(x, rows, d, p + j0, c, gt + j0 * d);
}

}  // namespace

FLYTEC_SIMD_CLONES
void add_rows_by_label(const float* x, const int64_t* label, int64_t rows, int64_t d, float* sums) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* s = sums + label[r] * d;
    int64_t k = 0;
    for (; k + kLanes <= d; k += kLanes) {
      Vec a, b;
      std::memcpy(&a, s + k, sizeof(Vec));
      std::memcpy(&b, xr + k, sizeof(Vec));
      a += b;
      std::memcpy(s + k, &a, sizeof(Vec));
    }
    for (; k < d; ++k) s[k] += xr[k];
  }
}

void add_row_dots(const float* x, int64_t rows, int64_t d, int64_t c, const float* wt, float* out) {
  if (d > 0) logits_block(x, rows, d, c, wt, out);
}

void softmax_gradient_block(const float* x, const int32_t* y, int64_t rows, int64_t d, int64_t c,
                            const float* wt, const float* b, float* p, float* gt, float* gb) {
  for (int64_t r = 0; r < rows; ++r) std::copy(b, b + c, p + r * c);
  add_row_dots(x, rows, d, c, wt, p);
  softmax_rows(p, p, rows, c);
  for (int64_t r = 0; r < rows; ++r) p[r * c + y[r]] -= 1.0f;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) gb[j] += p[r * c + j];
  if (d > 0) gradient_block(x, rows, d, c, p, gt);
}

}  // namespace flyte::rt::tensor
