// Helpers for the tensor kernels' tests: building tensors, calling a kernel by its
// builtin name, reading golden files.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "backends/local/runtime/tensor/Kernel.h"
#include "backends/local/runtime/tensor/NpyIO.h"

namespace flyte::rt::tensor::testing {

template <typename T>
Tensor make(DType dt, std::vector<int64_t> shape, const std::vector<T>& values) {
  Tensor t = Tensor::allocate(dt, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numel()), values.size());
  if (!values.empty()) std::memcpy(t.mutable_data(), values.data(), values.size() * sizeof(T));
  return t;
}

inline Tensor f32(std::vector<int64_t> shape, const std::vector<float>& values) {
  return make(DType::F32, std::move(shape), values);
}

inline Tensor i64(std::vector<int64_t> shape, const std::vector<int64_t>& values) {
  return make(DType::I64, std::move(shape), values);
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.as<T>(), t.as<T>() + t.numel());
}

/// The outputs of the kernel registered as `name`.
inline std::vector<KernelValue> call(std::string_view name, std::vector<KernelValue> args,
                                     KernelContext ctx = {}) {
  const KernelInfo* k = find_kernel(name);
  if (k == nullptr) throw std::logic_error("no kernel " + std::string(name));
  return k->cpu(args, ctx);
}

/// The single tensor output of `name`.
inline Tensor call1(std::string_view name, std::vector<KernelValue> args, KernelContext ctx = {}) {
  return std::get<Tensor>(call(name, std::move(args), std::move(ctx)).at(0));
}

/// The KernelError message of the call, or "" when it succeeds.
inline std::string error_of(std::string_view name, std::vector<KernelValue> args,
                            KernelContext ctx = {}) {
  try {
    call(name, std::move(args), std::move(ctx));
  } catch (const KernelError& e) {
    return e.what();
  }
  return "";
}

inline std::string golden_path(const std::string& name) {
  return std::string(FLYTE_TENSOR_GOLDEN_DIR) + "/" + name + ".npy";
}

inline Tensor golden(const std::string& name) {
  return read_npy_tensor(golden_path(name), "golden");
}

/// A fresh empty directory under the test temp dir.
std::string temp_dir(const std::string& name);

}  // namespace flyte::rt::tensor::testing
