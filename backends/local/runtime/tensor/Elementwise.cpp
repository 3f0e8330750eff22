// Elementwise kernels: add sub mul div (same shapes), scale, relu sigmoid tanh exp log.
#include <cmath>
#include <type_traits>

#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"

namespace flyte::rt::tensor::kernels {

namespace {

constexpr int64_t kGrain = 1 << 16;

// Integer arithmetic wraps (as NumPy's does) instead of overflowing.
template <typename T, typename Op>
T wrap(T a, T b, Op op) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(op(static_cast<U>(a), static_cast<U>(b)));
  } else {
    return op(a, b);
  }
}

enum class Binary { Add, Sub, Mul, Div };

std::vector<KernelValue> binary(std::span<const KernelValue> args, KernelContext& ctx,
                                std::string_view name, Binary op) {
  const Tensor& a = arg<Tensor>(args, 0, name, "a");
  const Tensor& b = arg<Tensor>(args, 1, name, "b");
  if (a.shape() != b.shape())
    fail(name, "a is " + shape_text(a.shape()) + " but b is " + shape_text(b.shape()) +
                   "; they must have the same shape");
  if (a.dtype() != b.dtype())
    fail(name, "a is " + std::string(dtype_name(a.dtype())) + " but b is " +
                   std::string(dtype_name(b.dtype())));
  Tensor out = Tensor::allocate(a.dtype(), a.shape());
  dispatch_numeric(a.dtype(), name, [&](auto zero) {
    using T = decltype(zero);
    const T* x = a.as<T>();
    const T* y = b.as<T>();
    T* z = out.mutable_as<T>();
    if constexpr (std::is_integral_v<T>) {
      if (op == Binary::Div) {
        for (int64_t i = 0; i < b.numel(); ++i)
          if (y[i] == 0) fail(name, "integer division by zero at element " + std::to_string(i));
      }
    }
    parallel_for(threads_of(ctx), a.numel(), kGrain, [&](int64_t lo, int64_t hi) {
      switch (op) {
        case Binary::Add:
          for (int64_t i = lo; i < hi; ++i) z[i] = wrap(x[i], y[i], std::plus<>());
          break;
        case Binary::Sub:
          for (int64_t i = lo; i < hi; ++i) z[i] = wrap(x[i], y[i], std::minus<>());
          break;
        case Binary::Mul:
          for (int64_t i = lo; i < hi; ++i) z[i] = wrap(x[i], y[i], std::multiplies<>());
          break;
        case Binary::Div:
          if constexpr (std::is_integral_v<T>) {
            // INT_MIN / -1 overflows; NumPy gives INT_MIN too.
            for (int64_t i = lo; i < hi; ++i)
              z[i] = (y[i] == -1) ? wrap(T{0}, x[i], std::minus<>()) : static_cast<T>(x[i] / y[i]);
          } else {
            for (int64_t i = lo; i < hi; ++i) z[i] = x[i] / y[i];
          }
          break;
      }
    });
  });
  return one(std::move(out));
}

// A float-only elementwise map.
template <typename Fn>
std::vector<KernelValue> unary(std::span<const KernelValue> args, KernelContext& ctx,
                               std::string_view name, Fn fn) {
  const Tensor& x = arg<Tensor>(args, 0, name, "x");
  Tensor out = Tensor::allocate(x.dtype(), x.shape());
  dispatch_float(x.dtype(), name, [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.as<T>();
    T* o = out.mutable_as<T>();
    parallel_for(threads_of(ctx), x.numel(), kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = fn(in[i]);
    });
  });
  return one(std::move(out));
}

}  // namespace

std::vector<KernelValue> add(std::span<const KernelValue> args, KernelContext& ctx) {
  return binary(args, ctx, "add", Binary::Add);
}
std::vector<KernelValue> sub(std::span<const KernelValue> args, KernelContext& ctx) {
  return binary(args, ctx, "sub", Binary::Sub);
}
std::vector<KernelValue> mul(std::span<const KernelValue> args, KernelContext& ctx) {
  return binary(args, ctx, "mul", Binary::Mul);
}
std::vector<KernelValue> div(std::span<const KernelValue> args, KernelContext& ctx) {
  return binary(args, ctx, "div", Binary::Div);
}

std::vector<KernelValue> scale(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "scale", "x");
  double by = arg<double>(args, 1, "scale", "by");
  Tensor out = Tensor::allocate(x.dtype(), x.shape());
  dispatch_numeric(x.dtype(), "scale", [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.as<T>();
    T* o = out.mutable_as<T>();
    parallel_for(threads_of(ctx), x.numel(), kGrain, [&](int64_t lo, int64_t hi) {
      if constexpr (std::is_integral_v<T>) {
        // Integers scale through double and truncate toward zero, saturating.
        for (int64_t i = lo; i < hi; ++i) {
          double v = static_cast<double>(in[i]) * by;
          constexpr double lo_v = static_cast<double>(std::numeric_limits<T>::min());
          constexpr double hi_v = static_cast<double>(std::numeric_limits<T>::max());
          o[i] = std::isnan(v) ? T{0}
                 : v <= lo_v   ? std::numeric_limits<T>::min()
                 : v >= hi_v   ? std::numeric_limits<T>::max()
                               : static_cast<T>(v);
        }
      } else {
        T s = static_cast<T>(by);
        for (int64_t i = lo; i < hi; ++i) o[i] = in[i] * s;
      }
    });
  });
  return one(std::move(out));
}

std::vector<KernelValue> relu(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& x = arg<Tensor>(args, 0, "relu", "x");
  Tensor out = Tensor::allocate(x.dtype(), x.shape());
  dispatch_numeric(x.dtype(), "relu", [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.as<T>();
    T* o = out.mutable_as<T>();
    parallel_for(threads_of(ctx), x.numel(), kGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) o[i] = in[i] > T{0} ? in[i] : T{0};
    });
  });
  return one(std::move(out));
}

std::vector<KernelValue> sigmoid(std::span<const KernelValue> args, KernelContext& ctx) {
  return unary(args, ctx, "sigmoid", [](auto v) {
    using T = decltype(v);
    // Stable on both sides: exp of a non-positive number never overflows.
    if (v >= T{0}) return T{1} / (T{1} + std::exp(-v));
    T e = std::exp(v);
    return e / (T{1} + e);
  });
}
std::vector<KernelValue> tanh(std::span<const KernelValue> args, KernelContext& ctx) {
  return unary(args, ctx, "tanh", [](auto v) { return std::tanh(v); });
}
std::vector<KernelValue> exp(std::span<const KernelValue> args, KernelContext& ctx) {
  return unary(args, ctx, "exp", [](auto v) { return std::exp(v); });
}
std::vector<KernelValue> log(std::span<const KernelValue> args, KernelContext& ctx) {
  return unary(args, ctx, "log", [](auto v) { return std::log(v); });
}

}  // namespace flyte::rt::tensor::kernels
