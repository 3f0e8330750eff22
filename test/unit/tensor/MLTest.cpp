// std.ml kernels: make_blobs, softmax_regression (accuracy, checkpoint and resume,
// cancellation), predict, accuracy, linear_regression and kmeans.
#include <atomic>
#include <cmath>
#include <filesystem>

#include "backends/local/runtime/tensor/Checkpoint.h"
#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

std::pair<Tensor, Tensor> blobs(int64_t n, int64_t d, int64_t centers, int64_t seed,
                                double spread) {
  auto out = call("ml.make_blobs", {n, d, centers, seed, spread});
  return {std::get<Tensor>(out.at(0)), std::get<Tensor>(out.at(1))};
}

// The mean of each class's rows.
std::vector<double> class_means(const Tensor& x, const Tensor& y, int64_t k) {
  int64_t d = x.dim(1);
  std::vector<double> m(static_cast<size_t>(k * d));
  std::vector<int64_t> cnt(static_cast<size_t>(k));
  for (int64_t i = 0; i < x.dim(0); ++i) {
    int64_t c = y.as<int64_t>()[i];
    ++cnt[static_cast<size_t>(c)];
    for (int64_t j = 0; j < d; ++j) m[static_cast<size_t>(c * d + j)] += x.as<float>()[i * d + j];
  }
  for (int64_t c = 0; c < k; ++c)
    for (int64_t j = 0; j < d; ++j)
      m[static_cast<size_t>(c * d + j)] /= static_cast<double>(cnt[static_cast<size_t>(c)]);
  return m;
}

TEST(MakeBlobs, SeededBalancedAndInRange) {
  auto [x, y] = blobs(1001, 3, 4, 42, 0.5);
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{1001, 3}));
  EXPECT_EQ(y.dtype(), DType::I64);
  std::vector<int64_t> cnt(4);
  for (int64_t l : values<int64_t>(y)) ++cnt[static_cast<size_t>(l)];
  EXPECT_EQ(cnt, (std::vector<int64_t>{251, 250, 250, 250}));
  for (double m : class_means(x, y, 4)) {
    EXPECT_GE(m, -10.2);
    EXPECT_LE(m, 10.2);
  }
  auto [x2, y2] = blobs(1001, 3, 4, 42, 0.5);
  EXPECT_EQ(values<float>(x), values<float>(x2));
  auto [x3, y3] = blobs(1001, 3, 4, 43, 0.5);
  EXPECT_NE(values<float>(x), values<float>(x3));
  EXPECT_EQ(error_of("ml.make_blobs", {int64_t{10}, int64_t{0}, int64_t{2}, int64_t{0}, 1.0}),
            "make_blobs: d must be at least 1, got 0");
}

TEST(SoftmaxRegression, LearnsBlobs) {
  auto [x, y] = blobs(2000, 5, 3, 7, 1.0);
  KernelContext ctx;
  ctx.threads = 2;
  Tensor w = call1("ml.softmax_regression", {x, y, int64_t{3}, int64_t{50}, 0.1}, ctx);
  EXPECT_EQ(w.shape(), (std::vector<int64_t>{6, 3}));
  double acc = std::get<double>(call("ml.accuracy", {w, x, y}, ctx).at(0));
  EXPECT_GE(acc, 0.9);
  Tensor pred = call1("ml.predict", {w, x}, ctx);
  EXPECT_EQ(pred.shape(), (std::vector<int64_t>{2000}));
  int64_t right = 0;
  for (int64_t i = 0; i < 2000; ++i) right += pred.as<int64_t>()[i] == y.as<int64_t>()[i];
  EXPECT_DOUBLE_EQ(acc, static_cast<double>(right) / 2000.0);
  EXPECT_EQ(error_of("ml.predict", {w, f32({1, 4}, {0, 0, 0, 0})}),
            "predict: w is 6x3 but x is 1x4; w must have D + 1 = 5 rows");
  EXPECT_EQ(error_of("ml.softmax_regression", {x, y, int64_t{2}, int64_t{1}, 0.1}),
            "softmax_regression: row 2 has label 2, outside [0, 2)");
}

// The weights after `epochs` steps of full-batch gradient descent, by a plain loop in
// double: logits = x w[:d] + w[d], P = softmax(logits), w -= lr / n * [x | 1]^T (P - Y).
std::vector<double> reference_softmax_regression(const std::vector<float>& x,
                                                 const std::vector<int64_t>& y, int64_t d,
                                                 int64_t c, int64_t epochs, double lr) {
  const auto n = static_cast<int64_t>(y.size());
  std::vector<double> w(static_cast<size_t>((d + 1) * c));
  auto at = [](auto& v, int64_t i) -> auto& { return v[static_cast<size_t>(i)]; };
  for (int64_t e = 0; e < epochs; ++e) {
    std::vector<double> g(w.size());
    for (int64_t i = 0; i < n; ++i) {
      std::vector<double> p(static_cast<size_t>(c));
      double m = -1e300, s = 0;
      for (int64_t j = 0; j < c; ++j) {
        double l = at(w, d * c + j);
        for (int64_t k = 0; k < d; ++k) l += at(x, i * d + k) * at(w, k * c + j);
        at(p, j) = l;
        m = std::max(m, l);
      }
      for (double& v : p) s += v = std::exp(v - m);
      for (double& v : p) v /= s;
      at(p, at(y, i)) -= 1;
      for (int64_t j = 0; j < c; ++j) {
        for (int64_t k = 0; k < d; ++k) at(g, k * c + j) += at(x, i * d + k) * at(p, j);
        at(g, d * c + j) += at(p, j);
      }
    }
    for (size_t i = 0; i < w.size(); ++i) w[i] -= lr / static_cast<double>(n) * g[i];
  }
  return w;
}

TEST(SoftmaxRegression, MatchesAPlainLoop) {
  struct Case {
    int64_t n, d, c, threads;
  };
  // Row counts that are and are not a multiple of the kernel's row blocks, a single row,
  // D below, at and above a multiple of the 16-lane vectors, and class counts that
  // exercise every group size (8, 4, 2, 1).
  for (Case cs : {Case{1, 5, 3, 1}, Case{1, 40, 10, 2}, Case{64, 16, 2, 1}, Case{131, 37, 10, 2},
                  Case{300, 33, 15, 2}, Case{257, 784, 10, 2}, Case{50, 3, 1, 1}}) {
    SCOPED_TRACE("n=" + std::to_string(cs.n) + " d=" + std::to_string(cs.d) +
                 " c=" + std::to_string(cs.c) + " threads=" + std::to_string(cs.threads));
    auto x = values<float>(call1(
        "tensor.random", {std::vector<int64_t>{cs.n, cs.d}, cs.n + cs.d, std::string("normal")}));
    std::vector<int64_t> y(static_cast<size_t>(cs.n));
    for (int64_t i = 0; i < cs.n; ++i) y[static_cast<size_t>(i)] = (i * 7 + i / 3) % cs.c;
    KernelContext ctx;
    ctx.threads = static_cast<int>(cs.threads);
    auto w =
        values<float>(call1("ml.softmax_regression",
                            {f32({cs.n, cs.d}, x), i64({cs.n}, y), cs.c, int64_t{3}, 0.5}, ctx));
    auto want = reference_softmax_regression(x, y, cs.d, cs.c, 3, 0.5);
    ASSERT_EQ(w.size(), want.size());
    for (size_t i = 0; i < w.size(); ++i)
      EXPECT_NEAR(w[i], want[i], 1e-5 + 1e-4 * std::abs(want[i])) << i;
  }
}

TEST(SoftmaxRegression, ResumingFromACheckpointGivesTheSameWeights) {
  auto [x, y] = blobs(777, 4, 3, 1, 2.0);
  KernelContext straight;
  straight.threads = 2;
  auto ref = values<float>(
      call1("ml.softmax_regression", {x, y, int64_t{3}, int64_t{10}, 0.05}, straight));

  KernelContext first = straight;
  first.checkpoint_dir = temp_dir("ckpt1");
  call1("ml.softmax_regression", {x, y, int64_t{3}, int64_t{5}, 0.05}, first);
  auto cp = load_checkpoint(first.checkpoint_dir, "test");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->step, 5);

  KernelContext retry = straight;
  retry.attempt = 2;
  retry.prev_checkpoint_dir = first.checkpoint_dir;
  retry.checkpoint_dir = temp_dir("ckpt2");
  auto resumed =
      values<float>(call1("ml.softmax_regression", {x, y, int64_t{3}, int64_t{10}, 0.05}, retry));
  EXPECT_EQ(resumed, ref);
  EXPECT_EQ(load_checkpoint(retry.checkpoint_dir, "test")->step, 10);
}

TEST(SoftmaxRegression, CancelledRunsStopWithTheirCheckpoint) {
  auto [x, y] = blobs(300, 2, 2, 3, 1.0);
  std::atomic<bool> cancel{true};
  KernelContext ctx;
  ctx.cancel = &cancel;
  EXPECT_EQ(error_of("ml.softmax_regression", {x, y, int64_t{2}, int64_t{10}, 0.1}, ctx),
            "cancelled");
}

TEST(Checkpoint, KeepsOnlyTheLatestStep) {
  std::string dir = temp_dir("cp");
  Checkpoint a;
  a.step = 1;
  a.tensors["w"] = f32({2}, {1, 2});
  save_checkpoint(dir, a, "test");
  a.step = 2;
  a.tensors["w"] = f32({2}, {3, 4});
  save_checkpoint(dir, a, "test");
  auto back = load_checkpoint(dir, "test");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->step, 2);
  EXPECT_EQ(values<float>(back->tensors.at("w")), (std::vector<float>{3, 4}));
  EXPECT_FALSE(std::filesystem::exists(dir + "/w.1.npy"));
  EXPECT_FALSE(load_checkpoint(temp_dir("none"), "test").has_value());
  EXPECT_FALSE(load_checkpoint("", "test").has_value());
}

TEST(LinearRegression, MatchesNumPyLstsq) {
  auto w = values<float>(call1("ml.linear_regression", {golden("lstsq_x"), golden("lstsq_y")}));
  auto want = values<float>(golden("lstsq_w"));
  ASSERT_EQ(w.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(w[i], want[i], 1e-4f);
  // Underdetermined: the minimum-norm solution of x0 + x1 = 2 is (1, 1).
  auto m = values<float>(call1("ml.linear_regression", {f32({1, 2}, {1, 1}), f32({1}, {2})}));
  EXPECT_NEAR(m[0], 1.0f, 1e-5f);
  EXPECT_NEAR(m[1], 1.0f, 1e-5f);
  EXPECT_EQ(error_of("ml.linear_regression", {f32({2, 1}, {1, 2}), f32({3}, {1, 2, 3})}),
            "linear_regression: x has 2 rows but y has 3");
}

TEST(KMeans, FindsWellSeparatedCentres) {
  auto [x, y] = blobs(4000, 3, 5, 11, 0.3);
  auto truth = class_means(x, y, 5);
  KernelContext ctx;
  ctx.threads = 2;
  Tensor c = call1("ml.kmeans", {x, int64_t{5}, int64_t{30}, int64_t{0}}, ctx);
  EXPECT_EQ(c.shape(), (std::vector<int64_t>{5, 3}));
  auto found = values<float>(c);
  for (int64_t t = 0; t < 5; ++t) {
    double best = 1e30;
    for (int64_t f = 0; f < 5; ++f) {
      double s = 0;
      for (int64_t j = 0; j < 3; ++j) {
        double diff = truth[static_cast<size_t>(t * 3 + j)] - found[static_cast<size_t>(f * 3 + j)];
        s += diff * diff;
      }
      best = std::min(best, s);
    }
    EXPECT_LT(std::sqrt(best), 0.05) << "true centre " << t;
  }
  Tensor again = call1("ml.kmeans", {x, int64_t{5}, int64_t{30}, int64_t{0}}, ctx);
  EXPECT_EQ(values<float>(again), found);
  EXPECT_EQ(error_of("ml.kmeans", {f32({2, 1}, {1, 2}), int64_t{3}, int64_t{1}, int64_t{0}}),
            "kmeans: k is 3 but x has only 2 rows");
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
