// Shared kernel helpers (see KernelUtil.h).
#include "backends/local/runtime/tensor/KernelUtil.h"

namespace flyte::rt::tensor {

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "[]";
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += "x";
    out += std::to_string(shape[i]);
  }
  return out;
}

void fail(std::string_view kernel, const std::string& message) {
  throw KernelError(std::string(kernel) + ": " + message);
}

std::vector<int64_t> checked_shape(const std::vector<int64_t>& shape, std::string_view kernel) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(kernel, "shape " + shape_text(shape) + " has a negative dimension");
    if (__builtin_mul_overflow(n, d, &n) || n > (int64_t{1} << 60))
      fail(kernel, "shape " + shape_text(shape) + " is too large");
  }
  return shape;
}

void require_rank(const Tensor& t, size_t rank, std::string_view kernel, std::string_view param) {
  if (t.rank() != rank)
    fail(kernel, std::string(param) + " must have rank " + std::to_string(rank) + ", but it is " +
                     shape_text(t.shape()));
}

}  // namespace flyte::rt::tensor
