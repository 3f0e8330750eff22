// tensor.random: the documented Philox mapping (checked against an independent Python
// implementation), reproducibility and the distributions' moments.
#include <cmath>

#include "backends/local/runtime/tensor/Philox.h"
#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(Philox, KnownAnswerVector) {
  // Random123's kat_vectors, philox4x32 with 10 rounds.
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
}

TEST(Random, FirstValuesForSeeds0And42) {
  for (int64_t seed : {0, 42}) {
    for (std::string dist : {"normal", "uniform"}) {
      auto got = values<float>(call1("tensor.random", {std::vector<int64_t>{4, 4}, seed, dist}));
      auto want = values<float>(golden("random_" + dist + "_seed" + std::to_string(seed)));
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], want[i]) << dist << seed << " " << i;
    }
  }
  // Pinned here as well, so that a change of mapping shows in this file.
  auto first = values<float>(
      call1("tensor.random", {std::vector<int64_t>{2}, int64_t{0}, std::string("normal")}));
  EXPECT_FLOAT_EQ(first[0], 0.9911375f);
  EXPECT_FLOAT_EQ(first[1], -0.15363811f);
  auto u42 = values<float>(
      call1("tensor.random", {std::vector<int64_t>{1}, int64_t{42}, std::string("uniform")}));
  EXPECT_FLOAT_EQ(u42[0], 0.61295986f);
}

TEST(Random, SameSeedSameValuesWhateverTheThreads) {
  KernelContext one, four;
  four.threads = 4;
  auto a = values<float>(call1("tensor.random", {std::vector<int64_t>{300, 301}, int64_t{7}}, one));
  auto b =
      values<float>(call1("tensor.random", {std::vector<int64_t>{300, 301}, int64_t{7}}, four));
  EXPECT_EQ(a, b);
  auto c = values<float>(call1("tensor.random", {std::vector<int64_t>{300, 301}, int64_t{8}}, one));
  EXPECT_NE(a, c);
}

TEST(Random, MomentsOverAMillion) {
  KernelContext ctx;
  ctx.threads = 2;
  auto n =
      values<float>(call1("tensor.random", {std::vector<int64_t>{1'000'000}, int64_t{1}}, ctx));
  double s = 0, s2 = 0;
  for (float v : n) {
    s += v;
    s2 += static_cast<double>(v) * v;
  }
  double mean = s / 1e6, stddev = std::sqrt(s2 / 1e6 - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.005);
  EXPECT_NEAR(stddev, 1.0, 0.005);
  auto u = values<float>(call1(
      "tensor.random", {std::vector<int64_t>{1'000'000}, int64_t{1}, std::string("uniform")}, ctx));
  double us = 0;
  for (float v : u) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LT(v, 1.0f);
    us += v;
  }
  EXPECT_NEAR(us / 1e6, 0.5, 0.002);
  EXPECT_EQ(error_of("tensor.random", {std::vector<int64_t>{1}, int64_t{0}, std::string("cauchy")}),
            "random: dist is \"cauchy\"; it must be \"normal\" or \"uniform\"");
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
