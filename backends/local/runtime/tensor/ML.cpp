// std.ml kernels (placeholder until the implementations land).
#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"

namespace flyte::rt::tensor::kernels {

#define FLYTE_TODO(fn)                                                        \
  std::vector<KernelValue> fn(std::span<const KernelValue>, KernelContext&) { \
    fail(#fn, "not implemented yet");                                         \
  }
FLYTE_TODO(make_blobs)
FLYTE_TODO(softmax_regression)
FLYTE_TODO(predict)
FLYTE_TODO(accuracy)
FLYTE_TODO(linear_regression)
FLYTE_TODO(kmeans)

}  // namespace flyte::rt::tensor::kernels
