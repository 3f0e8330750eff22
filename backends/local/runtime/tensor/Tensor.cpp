// Tensor storage and dtype names (the data types of Kernel.h).
#include <cstdlib>
#include <new>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::tensor {

namespace {

struct DtypeEntry {
  DType type;
  std::string_view name;
  size_t size;
};

constexpr DtypeEntry kDtypes[] = {
    {DType::F16, "f16", 2}, {DType::BF16, "bf16", 2}, {DType::F32, "f32", 4},
    {DType::F64, "f64", 8}, {DType::I8, "i8", 1},     {DType::I32, "i32", 4},
    {DType::I64, "i64", 8}, {DType::U8, "u8", 1},     {DType::Bool, "bool", 1}};

}  // namespace

size_t dtype_size(DType t) { return kDtypes[static_cast<size_t>(t)].size; }

std::string_view dtype_name(DType t) { return kDtypes[static_cast<size_t>(t)].name; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const DtypeEntry& e : kDtypes)
    if (e.name == name) return e.type;
  return std::nullopt;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape_) n *= d;
  return n;
}

Tensor Tensor::allocate(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  for (int64_t d : t.shape_)
    if (d < 0) throw KernelError("negative dimension " + std::to_string(d));
  size_t bytes = t.bytes();
  // aligned_alloc wants a multiple of the alignment; an empty tensor still gets a
  // buffer, so that data() is never null.
  bytes = (bytes + 63) / 64 * 64;
  if (bytes == 0) bytes = 64;
  void* p = std::aligned_alloc(64, bytes);
  if (p == nullptr)
    throw KernelError("out of memory allocating " + std::to_string(bytes) + " bytes");
  t.owner_ = std::shared_ptr<const void>(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  t.data_ = p;
  return t;
}

Tensor Tensor::adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<const void> owner,
                     const void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.owner_ = std::move(owner);
  t.data_ = data;
  return t;
}

}  // namespace flyte::rt::tensor
