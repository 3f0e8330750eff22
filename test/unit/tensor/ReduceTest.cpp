// sum, mean, argmax and softmax: accuracy, ties, large values, empty input.
#include <cmath>

#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(Reduce, SumIsAccurateBeyondFloat32Accumulation) {
  // 1e6 values of 0.1f: a float32 running sum is off by about 1%.
  const int64_t n = 1'000'003;
  KernelContext ctx;
  ctx.threads = 2;
  Tensor x = call1("tensor.full", {std::vector<int64_t>{n}, 0.1}, ctx);
  double s = std::get<double>(call("tensor.sum", {x}, ctx).at(0));
  EXPECT_NEAR(s, static_cast<double>(0.1f) * static_cast<double>(n), 1e-6);
  double m = std::get<double>(call("tensor.mean", {x}, ctx).at(0));
  EXPECT_NEAR(m, static_cast<double>(0.1f), 1e-12);
}

TEST(Reduce, SumOfSmallAndEmptyTensors) {
  EXPECT_EQ(std::get<double>(call("tensor.sum", {f32({0}, {})}).at(0)), 0.0);
  EXPECT_EQ(std::get<double>(call("tensor.sum", {f32({1}, {2.5f})}).at(0)), 2.5);
  EXPECT_EQ(std::get<double>(call("tensor.sum", {i64({3}, {1, 2, 4})}).at(0)), 7.0);
  EXPECT_EQ(error_of("tensor.mean", {f32({0, 3}, {})}), "mean: x is empty (0x3)");
}

TEST(Reduce, ArgmaxTiesTakeTheFirstIndex) {
  Tensor x = f32({4, 3}, {1, 3, 3, 5, 5, 5, 0, -1, 2, NAN, 9, 9});
  EXPECT_EQ(values<int64_t>(call1("tensor.argmax", {x})), (std::vector<int64_t>{1, 0, 2, 0}));
  Tensor one = f32({1, 1}, {-7});
  EXPECT_EQ(values<int64_t>(call1("tensor.argmax", {one})), std::vector<int64_t>{0});
  EXPECT_EQ(call1("tensor.argmax", {f32({0, 4}, {})}).numel(), 0);
  EXPECT_EQ(error_of("tensor.argmax", {f32({2, 0}, {})}), "argmax: x has no columns (2x0)");
}

TEST(Softmax, MatchesNumPyIncludingHugeValues) {
  auto y = values<float>(call1("tensor.softmax", {golden("softmax_x")}));
  auto want = values<float>(golden("softmax_y"));
  ASSERT_EQ(y.size(), want.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_TRUE(std::isfinite(y[i])) << i;
    EXPECT_NEAR(y[i], want[i], 1e-6f) << i;
  }
}

TEST(Softmax, RowsSumToOneAtOddWidths) {
  for (int64_t c : {1, 3, 17}) {
    std::vector<float> x(static_cast<size_t>(5 * c));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 5) * 1e4f;
    auto y = values<float>(call1("tensor.softmax", {f32({5, c}, x)}));
    for (int64_t r = 0; r < 5; ++r) {
      double s = 0;
      for (int64_t j = 0; j < c; ++j) s += y[static_cast<size_t>(r * c + j)];
      EXPECT_NEAR(s, 1.0, 1e-6);
    }
  }
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
