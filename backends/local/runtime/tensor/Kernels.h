// Every CPU kernel's entry point, one declaration per builtin name; Registry.cpp lists
// them by name. Each takes its arguments in the task's parameter order.
#pragma once

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::tensor::kernels {

#define FLYTE_KERNEL(fn) \
  std::vector<KernelValue> fn(std::span<const KernelValue> args, KernelContext& ctx)

// Creation (Creation.cpp, Random.cpp).
FLYTE_KERNEL(full);
FLYTE_KERNEL(zeros);
FLYTE_KERNEL(random);
// Files (NpyIO.cpp, Csv.cpp).
FLYTE_KERNEL(load_npy);
FLYTE_KERNEL(save_npy);
FLYTE_KERNEL(load_csv);
// Linear algebra (Linalg.cpp).
FLYTE_KERNEL(matmul);
FLYTE_KERNEL(transpose);
// Elementwise (Elementwise.cpp).
FLYTE_KERNEL(add);
FLYTE_KERNEL(sub);
FLYTE_KERNEL(mul);
FLYTE_KERNEL(div);
FLYTE_KERNEL(scale);
FLYTE_KERNEL(relu);
FLYTE_KERNEL(sigmoid);
FLYTE_KERNEL(tanh);
FLYTE_KERNEL(exp);
FLYTE_KERNEL(log);
// Rows (Softmax.cpp, Reduce.cpp, Rows.cpp).
FLYTE_KERNEL(softmax);
FLYTE_KERNEL(sum);
FLYTE_KERNEL(mean);
FLYTE_KERNEL(argmax);
FLYTE_KERNEL(one_hot);
FLYTE_KERNEL(split_rows);
FLYTE_KERNEL(concat_rows);
// std.ml (Blobs.cpp, SoftmaxRegression.cpp, LinearRegression.cpp, KMeans.cpp).
FLYTE_KERNEL(make_blobs);
FLYTE_KERNEL(softmax_regression);
FLYTE_KERNEL(predict);
FLYTE_KERNEL(accuracy);
FLYTE_KERNEL(linear_regression);
FLYTE_KERNEL(kmeans);

#undef FLYTE_KERNEL

}  // namespace flyte::rt::tensor::kernels
