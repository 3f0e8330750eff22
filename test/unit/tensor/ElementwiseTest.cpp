// Elementwise kernels against NumPy's values and plain loops, at odd sizes and errors.
#include <cmath>

#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(Elementwise, BinaryOpsMatchLoopsAtOddSizes) {
  for (int64_t n : {0, 1, 7, 17, 65537 + 3}) {
    std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      a[static_cast<size_t>(i)] = static_cast<float>(i % 13) - 6.0f;
      b[static_cast<size_t>(i)] = static_cast<float>(i % 7) + 0.5f;
    }
    KernelContext ctx;
    ctx.threads = 2;
    Tensor ta = f32({n}, a), tb = f32({n}, b);
    auto add = values<float>(call1("tensor.add", {ta, tb}, ctx));
    auto sub = values<float>(call1("tensor.sub", {ta, tb}, ctx));
    auto mul = values<float>(call1("tensor.mul", {ta, tb}, ctx));
    auto div = values<float>(call1("tensor.div", {ta, tb}, ctx));
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(add[i], a[i] + b[i]);
      ASSERT_EQ(sub[i], a[i] - b[i]);
      ASSERT_EQ(mul[i], a[i] * b[i]);
      ASSERT_EQ(div[i], a[i] / b[i]);
    }
  }
}

TEST(Elementwise, ShapeMismatchNamesBothShapes) {
  EXPECT_EQ(error_of("tensor.add",
                     {f32({2, 3}, std::vector<float>(6)), f32({3, 2}, std::vector<float>(6))}),
            "add: a is 2x3 but b is 3x2; they must have the same shape");
  EXPECT_EQ(error_of("tensor.div", {f32({2}, {1, 2}), i64({2}, {1, 2})}),
            "div: a is f32 but b is i64");
}

TEST(Elementwise, IntegersWrapAndDivisionByZeroIsAnError) {
  Tensor big = make(DType::I32, {2}, std::vector<int32_t>{INT32_MAX, 5});
  Tensor one = make(DType::I32, {2}, std::vector<int32_t>{1, 2});
  EXPECT_EQ(values<int32_t>(call1("tensor.add", {big, one})), (std::vector<int32_t>{INT32_MIN, 7}));
  EXPECT_EQ(values<int32_t>(call1("tensor.div", {big, one})), (std::vector<int32_t>{INT32_MAX, 2}));
  Tensor zero = make(DType::I32, {2}, std::vector<int32_t>{1, 0});
  EXPECT_EQ(error_of("tensor.div", {big, zero}), "div: integer division by zero at element 1");
}

TEST(Elementwise, UnaryMatchesNumPy) {
  Tensor x = golden("unary_x");
  auto check = [&](std::string_view kernel, const std::string& expected, const Tensor& in) {
    auto got = values<float>(call1(kernel, {in}));
    auto want = values<float>(golden(expected));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 2e-6f * std::max(1.0f, std::abs(want[i]))) << kernel << " " << i;
  };
  check("tensor.sigmoid", "sigmoid_y", x);
  check("tensor.tanh", "tanh_y", x);
  check("tensor.exp", "exp_y", x);
  std::vector<float> shifted = values<float>(x);
  for (float& v : shifted) v = std::abs(v) + 0.5f;
  check("tensor.log", "log_y", f32({x.numel()}, shifted));
}

TEST(Elementwise, SigmoidSaturatesWithoutOverflow) {
  auto y = values<float>(call1("tensor.sigmoid", {f32({3}, {-1e4f, 0.0f, 1e4f})}));
  EXPECT_EQ(y, (std::vector<float>{0.0f, 0.5f, 1.0f}));
}

TEST(Elementwise, ReluAndScale) {
  Tensor x = f32({2, 2}, {-1.5f, 0.0f, 2.0f, -0.0f});
  EXPECT_EQ(values<float>(call1("tensor.relu", {x})), (std::vector<float>{0, 0, 2, 0}));
  EXPECT_EQ(values<float>(call1("tensor.scale", {x, 2.0})), (std::vector<float>{-3, 0, 4, 0}));
  EXPECT_EQ(call1("tensor.scale", {x, 2.0}).shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<int64_t>(call1("tensor.scale", {i64({2}, {3, -3}), 0.5})),
            (std::vector<int64_t>{1, -1}));
}

TEST(Elementwise, UnsupportedDtypeIsAnError) {
  Tensor b = make(DType::Bool, {1}, std::vector<uint8_t>{1});
  EXPECT_EQ(error_of("tensor.exp", {b}), "exp: dtype bool is not supported (f32, f64)");
  EXPECT_EQ(error_of("tensor.add", {b, b}),
            "add: dtype bool is not supported (f32, f64, i32, i64)");
}

TEST(Creation, FullAndZeros) {
  Tensor t = call1("tensor.full", {std::vector<int64_t>{2, 3}, 1.5});
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(t), std::vector<float>(6, 1.5f));
  Tensor z = call1("tensor.zeros", {std::vector<int64_t>{0, 4}});
  EXPECT_EQ(z.numel(), 0);
  EXPECT_TRUE(z.valid());
  Tensor s = call1("tensor.zeros", {std::vector<int64_t>{}});
  EXPECT_EQ(values<float>(s), std::vector<float>{0.0f});
  EXPECT_EQ(error_of("tensor.zeros", {std::vector<int64_t>{2, -1}}),
            "zeros: shape 2x-1 has a negative dimension");
}

TEST(Registry, EveryDeclaredBuiltinIsRegistered) {
  for (std::string_view name : {"tensor.full",        "tensor.zeros",    "tensor.random",
                                "tensor.load_npy",    "tensor.save_npy", "tensor.load_csv",
                                "tensor.matmul",      "tensor.add",      "tensor.sub",
                                "tensor.mul",         "tensor.div",      "tensor.scale",
                                "tensor.relu",        "tensor.sigmoid",  "tensor.tanh",
                                "tensor.exp",         "tensor.log",      "tensor.softmax",
                                "tensor.transpose",   "tensor.sum",      "tensor.mean",
                                "tensor.argmax",      "tensor.one_hot",  "tensor.split_rows",
                                "tensor.concat_rows", "ml.make_blobs",   "ml.softmax_regression",
                                "ml.predict",         "ml.accuracy",     "ml.linear_regression",
                                "ml.kmeans"})
    EXPECT_NE(find_kernel(name), nullptr) << name;
  EXPECT_EQ(find_kernel("tensor.nope"), nullptr);
  EXPECT_EQ(all_kernels().size(), 31u);
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
