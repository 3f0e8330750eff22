// Row-wise softmax over a contiguous block, shared by the softmax kernel and std.ml.
#pragma once

#include <cstdint>

namespace flyte::rt::tensor {

/// out[r, :] = softmax(x[r, :]) for `rows` rows of `cols` (>= 1) values; out may be x.
template <typename T>
void softmax_rows(const T* x, T* out, int64_t rows, int64_t cols);

}  // namespace flyte::rt::tensor
