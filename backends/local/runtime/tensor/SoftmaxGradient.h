// The fused forward and backward pass of ml.softmax_regression over one block of rows:
// logits, softmax, the residual P - onehot(y) and its gradient, while the block is in
// cache; and its forward half, row-by-row dot products, on its own. Vectorised by hand (16 lanes
// along D) and compiled for AVX-512, AVX2 + FMA and baseline x86-64, picked at run time.
#pragma once

#include <cstdint>

namespace flyte::rt::tensor {

/// out[r, j] += x[r, :] . wt[j, :] for the `rows` rows of x and the `c` rows of wt (both
/// with `d` columns, row-major); out is rows x c. The forward half of the block below,
/// also kmeans' distances.
void add_row_dots(const float* x, int64_t rows, int64_t d, int64_t c, const float* wt, float* out);

/// sums[label[r], :] += x[r, :] for the `rows` rows of x (`d` columns); sums has a row
/// of `d` values per label (kmeans' new centres).
void add_rows_by_label(const float* x, const int64_t* label, int64_t rows, int64_t d, float* sums);

/// For the `rows` rows of x (row-major, `d` columns) with labels y in [0, c):
/// logits = x * wt^T + b, P = softmax(logits), R = P - onehot(y), then gt += R^T * x and
/// gb += the column sums of R. wt and gt are C x D (the weights transposed), b and gb
/// have C values, and p is scratch for rows * c values (R on return).
void softmax_gradient_block(const float* x, const int32_t* y, int64_t rows, int64_t d, int64_t c,
                            const float* wt, const float* b, float* p, float* gt, float* gb);

}  // namespace flyte::rt::tensor
