// matmul and transpose against NumPy's values and plain loops.
#include <cmath>

#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(Matmul, MatchesNumPyF32AndF64) {
  auto c = values<float>(call1("tensor.matmul", {golden("matmul_a_f32"), golden("matmul_b_f32")}));
  auto want = values<float>(golden("matmul_c_f32"));
  ASSERT_EQ(c.size(), want.size());
  for (size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(c[i], want[i], 1e-5f);
  Tensor c64 = call1("tensor.matmul", {golden("matmul_a_f64"), golden("matmul_b_f64")});
  EXPECT_EQ(c64.shape(), (std::vector<int64_t>{6, 11}));
  auto got64 = values<double>(c64);
  auto want64 = values<double>(golden("matmul_c_f64"));
  for (size_t i = 0; i < got64.size(); ++i) EXPECT_NEAR(got64[i], want64[i], 1e-12);
}

// Sizes that split over threads, with remainders in both directions.
TEST(Matmul, ThreadedMatchesLoop) {
  for (auto [m, k, n] :
       {std::tuple<int64_t, int64_t, int64_t>{131, 67, 45}, {3, 97, 301}, {1, 1, 1}}) {
    std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 7) % 11) - 5.0f;
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>((i * 5) % 9) - 4.0f;
    KernelContext ctx;
    ctx.threads = 3;
    auto c = values<float>(call1("tensor.matmul", {f32({m, k}, a), f32({k, n}, b)}, ctx));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float s = 0;  // small integers: exact in any order
        for (int64_t p = 0; p < k; ++p)
          s += a[static_cast<size_t>(i * k + p)] * b[static_cast<size_t>(p * n + j)];
        ASSERT_EQ(c[static_cast<size_t>(i * n + j)], s) << m << "x" << k << "x" << n;
      }
  }
}

TEST(Matmul, IntegersEmptyAndErrors) {
  Tensor a = i64({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values<int64_t>(call1("tensor.matmul", {a, a})), (std::vector<int64_t>{7, 10, 15, 22}));
  Tensor e = call1("tensor.matmul", {f32({2, 0}, {}), f32({0, 3}, {})});
  EXPECT_EQ(values<float>(e), std::vector<float>(6, 0.0f));
  EXPECT_EQ(error_of("tensor.matmul",
                     {f32({3, 4}, std::vector<float>(12)), f32({5, 2}, std::vector<float>(10))}),
            "matmul: a is 3x4 but b is 5x2; they must be MxK and KxN");
  Tensor u = make(DType::U8, {1, 1}, std::vector<uint8_t>{1});
  EXPECT_EQ(error_of("tensor.matmul", {u, u}),
            "matmul: dtype u8 is not supported (f32, f64, i32, i64)");
}

TEST(Transpose, MatchesLoopAcrossTilesAndDtypes) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{1, 1}, {33, 65}, {130, 7}, {0, 5}}) {
    std::vector<float> x(static_cast<size_t>(m * n));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    KernelContext ctx;
    ctx.threads = 2;
    Tensor t = call1("tensor.transpose", {f32({m, n}, x)}, ctx);
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{n, m}));
    auto y = values<float>(t);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        ASSERT_EQ(y[static_cast<size_t>(j * m + i)], x[static_cast<size_t>(i * n + j)]);
  }
  Tensor b = make(DType::U8, {2, 3}, std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(values<uint8_t>(call1("tensor.transpose", {b})),
            (std::vector<uint8_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(error_of("tensor.transpose", {f32({3}, {1, 2, 3})}),
            "transpose: x must have rank 2, but it is 3");
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
