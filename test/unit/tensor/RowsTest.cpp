// one_hot, split_rows and concat_rows at their boundaries.
#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(OneHot, LastValidClassAndFirstInvalid) {
  Tensor y = call1("tensor.one_hot", {i64({3}, {0, 2, 1}), int64_t{3}});
  EXPECT_EQ(y.dtype(), DType::F32);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(values<float>(y), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(error_of("tensor.one_hot", {i64({3}, {0, 2, 3}), int64_t{3}}),
            "one_hot: row 2 has label 3, outside [0, 3)");
  EXPECT_EQ(error_of("tensor.one_hot", {i64({1}, {-1}), int64_t{3}}),
            "one_hot: row 0 has label -1, outside [0, 3)");
  EXPECT_EQ(error_of("tensor.one_hot", {i64({1}, {0}), int64_t{0}}),
            "one_hot: classes must be at least 1, got 0");
}

std::vector<int64_t> rows_of(const std::vector<Tensor>& parts) {
  std::vector<int64_t> out;
  for (const Tensor& t : parts) out.push_back(t.dim(0));
  return out;
}

TEST(SplitRows, NearlyEqualPartsSharingStorage) {
  std::vector<float> v(14);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  Tensor x = f32({7, 2}, v);
  auto parts = std::get<std::vector<Tensor>>(call("tensor.split_rows", {x, int64_t{3}}).at(0));
  EXPECT_EQ(rows_of(parts), (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(values<float>(parts[2]), (std::vector<float>{10, 11, 12, 13}));
  auto n_parts = std::get<std::vector<Tensor>>(call("tensor.split_rows", {x, int64_t{7}}).at(0));
  EXPECT_EQ(rows_of(n_parts), std::vector<int64_t>(7, 1));
  auto more = std::get<std::vector<Tensor>>(call("tensor.split_rows", {x, int64_t{9}}).at(0));
  EXPECT_EQ(rows_of(more), (std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(more[8].shape(), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(error_of("tensor.split_rows", {x, int64_t{0}}),
            "split_rows: parts must be at least 1, got 0");
}

TEST(ConcatRows, InvertsSplitAndChecksColumns) {
  std::vector<float> v(15);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  Tensor x = f32({5, 3}, v);
  auto parts = call("tensor.split_rows", {x, int64_t{4}}).at(0);
  Tensor back = call1("tensor.concat_rows", {parts});
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(values<float>(back), v);
  std::vector<Tensor> bad = {x, f32({1, 2}, {1, 2})};
  EXPECT_EQ(error_of("tensor.concat_rows", {bad}),
            "concat_rows: xs[1] is 1x2 but xs[0] is 5x3; all but the first dimension must agree");
  EXPECT_EQ(error_of("tensor.concat_rows", {std::vector<Tensor>{}}), "concat_rows: xs is empty");
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
