/* The C ABI between the local runtime and its CUDA plugin (libflytec_cuda.so): the plugin
 * exports one function, `flytec_cuda_api`, returning a versioned table of function
 * pointers. Every kernel takes and returns host memory: the plugin copies the inputs to
 * the device, runs there, and copies the outputs back. Each returns 0 on success, else
 * nonzero with a message for last_error(). Plain C, so that neither side depends on the
 * other's C++ standard library or on CUDA's headers. */
#ifndef FLYTEC_CUDA_H
#define FLYTEC_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the table below changes incompatibly. */
#define FLYTEC_CUDA_ABI_VERSION 1

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
} flytec_cuda_api;

/* The one symbol the plugin exports. */
const flytec_cuda_api* flytec_cuda_api_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* FLYTEC_CUDA_H */
