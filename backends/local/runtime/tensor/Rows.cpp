// Row operations: one_hot, split_rows, concat_rows.
#include <cstring>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"

namespace flyte::rt::tensor::kernels {

std::vector<KernelValue> one_hot(std::span<const KernelValue> args, KernelContext&) {
  const Tensor& y = arg<Tensor>(args, 0, "one_hot", "y");
  int64_t classes = arg<int64_t>(args, 1, "one_hot", "classes");
  require_rank(y, 1, "one_hot", "y");
  if (classes < 1) fail("one_hot", "classes must be at least 1, got " + std::to_string(classes));
  int64_t n = y.dim(0);
  Tensor out = Tensor::allocate(DType::F32, {n, classes});
  float* o = out.mutable_as<float>();
  std::memset(o, 0, out.bytes());
  auto label = [&](int64_t i) -> int64_t {
    switch (y.dtype()) {
      case DType::I64: return y.as<int64_t>()[i];
      case DType::I32: return y.as<int32_t>()[i];
      case DType::U8: return y.as<uint8_t>()[i];
      default: fail("one_hot", "y must be i64, not " + std::string(dtype_name(y.dtype())));
    }
  };
  for (int64_t i = 0; i < n; ++i) {
    int64_t l = label(i);
    if (l < 0 || l >= classes)
      fail("one_hot", "row " + std::to_string(i) + " has label " + std::to_string(l) +
                          ", outside [0, " + std::to_string(classes) + ")");
    o[i * classes + l] = 1.0f;
  }
  return one(std::move(out));
}

std::vector<KernelValue> split_rows(std::span<const KernelValue> args, KernelContext&) {
  const Tensor& x = arg<Tensor>(args, 0, "split_rows", "x");
  int64_t parts = arg<int64_t>(args, 1, "split_rows", "parts");
  if (x.rank() < 1) fail("split_rows", "x is a scalar; it has no rows");
  if (parts < 1) fail("split_rows", "parts must be at least 1, got " + std::to_string(parts));
  int64_t n = x.dim(0);
  size_t row_bytes = n == 0 ? 0 : x.bytes() / static_cast<size_t>(n);
  // The parts share x's storage: the first n % parts get one row more (as
  // numpy.array_split); with parts > n the last ones are empty.
  auto keep = std::make_shared<Tensor>(x);
  std::vector<Tensor> out;
  out.reserve(static_cast<size_t>(parts));
  int64_t start = 0;
  for (int64_t p = 0; p < parts; ++p) {
    int64_t rows = n / parts + (p < n % parts ? 1 : 0);
    std::vector<int64_t> shape = x.shape();
    shape[0] = rows;
    const char* base = static_cast<const char*>(x.data());
    const void* data = base == nullptr ? nullptr : base + static_cast<size_t>(start) * row_bytes;
    out.push_back(Tensor::adopt(x.dtype(), std::move(shape), keep, data));
    start += rows;
  }
  return one(std::move(out));
}

std::vector<KernelValue> concat_rows(std::span<const KernelValue> args, KernelContext&) {
  const auto& xs = arg<std::vector<Tensor>>(args, 0, "concat_rows", "xs");
  if (xs.empty()) fail("concat_rows", "xs is empty");
  const Tensor& first = xs[0];
  if (first.rank() < 1) fail("concat_rows", "xs[0] is a scalar; it has no rows");
  int64_t rows = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& t = xs[i];
    if (t.dtype() != first.dtype())
      fail("concat_rows", "xs[" + std::to_string(i) + "] is " + std::string(dtype_name(t.dtype())) +
                              " but xs[0] is " + std::string(dtype_name(first.dtype())));
    if (t.rank() != first.rank() ||
        !std::equal(t.shape().begin() + 1, t.shape().end(), first.shape().begin() + 1))
      fail("concat_rows", "xs[" + std::to_string(i) + "] is " + shape_text(t.shape()) +
                              " but xs[0] is " + shape_text(first.shape()) +
                              "; all but the first dimension must agree");
    rows += t.dim(0);
  }
  std::vector<int64_t> shape = first.shape();
  shape[0] = rows;
  Tensor out = Tensor::allocate(first.dtype(), std::move(shape));
  char* o = static_cast<char*>(out.mutable_data());
  for (const Tensor& t : xs) {
    if (t.bytes() > 0) std::memcpy(o, t.data(), t.bytes());
    o += t.bytes();
  }
  return one(std::move(out));
}

}  // namespace flyte::rt::tensor::kernels
