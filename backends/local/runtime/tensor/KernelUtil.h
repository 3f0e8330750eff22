// Helpers the kernels share: reading typed arguments with clear errors, shape text,
// dtype dispatch and cancellation.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::tensor {

/// `3x4`, `[]` for a scalar.
std::string shape_text(const std::vector<int64_t>& shape);

/// Throws KernelError("<kernel>: <message>").
[[noreturn]] void fail(std::string_view kernel, const std::string& message);

/// Argument `i` of type T, or a KernelError naming the kernel and parameter when it is
/// missing or of another type.
template <typename T>
const T& arg(std::span<const KernelValue> args, size_t i, std::string_view kernel,
             std::string_view param) {
  if (i >= args.size() || !std::holds_alternative<T>(args[i]))
    fail(kernel, "argument " + std::string(param) +
                     (i >= args.size() ? " is missing" : " has the wrong type"));
  return std::get<T>(args[i]);
}

/// Argument `i`, or `fallback` when it is absent (a default the runner did not fill in).
template <typename T>
T arg_or(std::span<const KernelValue> args, size_t i, std::string_view kernel,
         std::string_view param, T fallback) {
  if (i >= args.size() || std::holds_alternative<std::monostate>(args[i])) return fallback;
  return arg<T>(args, i, kernel, param);
}

/// `shape`, or a failure naming the kernel when a dimension is negative or the element
/// count overflows.
std::vector<int64_t> checked_shape(const std::vector<int64_t>& shape, std::string_view kernel);

/// Fails unless `t` has rank `rank`.
void require_rank(const Tensor& t, size_t rank, std::string_view kernel, std::string_view param);

/// Throws KernelError("cancelled") when the task was cancelled.
inline void check_cancelled(const KernelContext& ctx) {
  if (ctx.cancelled()) throw KernelError("cancelled");
}

/// The number of threads a kernel uses: the task's request, at least one.
inline int threads_of(const KernelContext& ctx) { return ctx.threads < 1 ? 1 : ctx.threads; }

/// Calls `fn(T{})` with T the C++ type of `dt` among f32, f64, i32, i64 (a failure naming
/// the kernel for others).
template <typename Fn>
decltype(auto) dispatch_numeric(DType dt, std::string_view kernel, Fn&& fn) {
  switch (dt) {
    case DType::F32: return fn(float{});
    case DType::F64: return fn(double{});
    case DType::I32: return fn(int32_t{});
    case DType::I64: return fn(int64_t{});
    default:
      fail(kernel,
           "dtype " + std::string(dtype_name(dt)) + " is not supported (f32, f64, i32, i64)");
  }
}

/// Calls `fn(T{})` with T float or double.
template <typename Fn>
decltype(auto) dispatch_float(DType dt, std::string_view kernel, Fn&& fn) {
  switch (dt) {
    case DType::F32: return fn(float{});
    case DType::F64: return fn(double{});
    default: fail(kernel, "dtype " + std::string(dtype_name(dt)) + " is not supported (f32, f64)");
  }
}

/// A single-value result.
inline std::vector<KernelValue> one(KernelValue v) {
  std::vector<KernelValue> out;
  out.push_back(std::move(v));
  return out;
}

}  // namespace flyte::rt::tensor
