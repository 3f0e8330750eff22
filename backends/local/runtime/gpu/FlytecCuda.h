/* The C ABI between the local runtime and its CUDA plugin (libflytec_cuda.so): the plugin
 * exports one function, `flytec_cuda_api_v1`, returning a versioned table of function
 * pointers. A kernel's tensor pointers may be host memory (the plugin copies inputs to
 * the device and outputs back) or memory from device_alloc (used in place: what a fused
 * stage does, backends/local/runtime/gpu/Stage.h), each pointer on its own. Each returns 0 on
 * success, else nonzero with a message for last_error(). Plain C, so that neither side depends on
 * the other's C++ standard library or on CUDA's headers. */
#ifndef FLYTEC_CUDA_H
#define FLYTEC_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the table below changes incompatibly. */
#define FLYTEC_CUDA_ABI_VERSION 2

/* Operators of binary_f32 and unary_f32. */
enum { FLYTEC_ADD = 0, FLYTEC_SUB = 1, FLYTEC_MUL = 2, FLYTEC_DIV = 3 };
enum {
  FLYTEC_SCALE = 0,
  FLYTEC_RELU = 1,
  FLYTEC_SIGMOID = 2,
  FLYTEC_TANH = 3,
  FLYTEC_EXP = 4,
  FLYTEC_LOG = 5
};

/* What the host says after each epoch of softmax_regression_f32: a bit set. */
enum { FLYTEC_EPOCH_SAVE = 1, FLYTEC_EPOCH_STOP = 2 };

/* Returned by the long-running kernels when a hook asked them to stop. */
enum { FLYTEC_STOPPED = 2 };

/* The host's hooks into a long-running kernel. The plugin calls them on the calling
 * thread; they must not throw. */
typedef struct flytec_hooks {
  void* user;
  /* After `done` epochs (softmax_regression_f32) or iterations (kmeans_f32): a set of
   * FLYTEC_EPOCH_* bits. SAVE: the plugin copies the current weights to the host and
   * calls save. STOP: it returns FLYTEC_STOPPED (after the save, if asked). */
  int (*after_step)(void* user, int64_t done);
  /* `w` holds the weights after `done` epochs; nonzero: the save failed (the plugin
   * returns 1 and the host keeps its own message). */
  int (*save)(void* user, int64_t done, const float* w);
} flytec_hooks;

typedef struct flytec_cuda_api {
  uint32_t abi_version; /* FLYTEC_CUDA_ABI_VERSION */
  uint32_t size;        /* sizeof(flytec_cuda_api) */
  /* How many devices cudaGetDeviceCount sees (CUDA_VISIBLE_DEVICES applies); 0 when
   * there is none or the driver is missing (last_error says why). */
  int (*device_count)(void);
  /* The last failure's message on this thread. */
  const char* (*last_error)(void);
  /* out[i] = value. */
  int (*fill_f32)(float* out, int64_t n, float value);
  /* Philox4x32-10 as backends/local/runtime/tensor/Philox.h maps it: element i of
   * (seed, stream); normal != 0: Box-Muller in double, else uniform in [0, 1). */
  int (*random_f32)(float* out, int64_t n, int64_t seed, uint32_t stream, int normal);
  /* c[m, n] = a[m, k] b[k, n], row-major, through cuBLAS. */
  int (*matmul_f32)(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n);
  /* out = a op b, elementwise over n elements. */
  int (*binary_f32)(int op, const float* a, const float* b, float* out, int64_t n);
  /* out = op(x) (FLYTEC_SCALE: x * arg). */
  int (*unary_f32)(int op, const float* x, float* out, int64_t n, double arg);
  /* *sum = the sum of x's n elements, accumulated in double. */
  int (*sum_f32)(const float* x, int64_t n, double* sum);
  /* Row-wise softmax of x[rows, cols]. */
  int (*softmax_f32)(const float* x, float* out, int64_t rows, int64_t cols);
  /* out[r] = the first index of the largest value of row r of x[rows, cols]. */
  int (*argmax_f32)(const float* x, int64_t* out, int64_t rows, int64_t cols);
  /* out[n, classes]: 1 where column == y[row]; a label outside [0, classes) fails. */
  int (*one_hot)(const int64_t* y, float* out, int64_t n, int64_t classes);
  /* out[cols, rows] = x[rows, cols] transposed. */
  int (*transpose_f32)(const float* x, float* out, int64_t rows, int64_t cols);
  /* --- version 2: std.ml --- */
  /* Full-batch gradient descent on mean cross-entropy, as the CPU's ml.softmax_regression:
   * x[n, d], y[n] in [0, c) (checked by the host), w[(d + 1), c] with the bias as the
   * last row. w holds the weights after `start` epochs on entry and after `epochs` on
   * return; each epoch does w -= step * gradient (step = lr / n). */
  int (*softmax_regression_f32)(const float* x, const int64_t* y, int64_t n, int64_t d, int64_t c,
                                int64_t start, int64_t epochs, float step, float* w,
                                const flytec_hooks* hooks);
  /* out[r] = argmax of row r of x[n, d] w[:d] + w[d] (w[(d + 1), c]). */
  int (*predict_f32)(const float* x, const float* w, int64_t n, int64_t d, int64_t c, int64_t* out);
  /* k-means++ seeding exactly as the CPU's ml.kmeans draws it (Philox stream 3, the same
   * chunked sums), then at most `iters` Lloyd iterations; centres[k, d]. 1 <= k <= n,
   * d >= 1. hooks->after_step is polled once per seed and iteration (STOP cancels). */
  int (*kmeans_f32)(const float* x, int64_t n, int64_t d, int64_t k, int64_t iters, int64_t seed,
                    float* centres, const flytec_hooks* hooks);
  /* --- version 2: device memory, for fused stages --- */
  /* `bytes` (at least 1) of device memory, or null with last_error set. */
  void* (*device_alloc)(size_t bytes);
  void (*device_free)(void* p);
  /* Copies `bytes` between host memory and device_alloc's memory, either way, and waits
   * for the kernels before it. */
  int (*copy)(void* dst, const void* src, size_t bytes);
} flytec_cuda_api;

/* The one symbol the plugin exports. */
const flytec_cuda_api* flytec_cuda_api_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* FLYTEC_CUDA_H */
