// load_csv: values, header, blank lines, CRLF, and errors with line and column.
#include <fstream>

#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

std::string csv(const std::string& text) {
  std::string path = temp_dir("csv") + "/data.csv";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(LoadCsv, ReadsRowsWithAndWithoutHeader) {
  Tensor t = call1("tensor.load_csv", {csv("a,b,c\n1,2.5,-3e2\r\n 4 ,+5, 6\n\n"), true});
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(t), (std::vector<float>{1, 2.5f, -300, 4, 5, 6}));
  Tensor n = call1("tensor.load_csv", {csv("1,2\n3,4"), false});
  EXPECT_EQ(values<float>(n), (std::vector<float>{1, 2, 3, 4}));
  Tensor h = call1("tensor.load_csv", {csv("x,y\n"), true});
  EXPECT_EQ(h.shape(), (std::vector<int64_t>{0, 2}));
  Tensor e = call1("tensor.load_csv", {csv(""), true});
  EXPECT_EQ(e.shape(), (std::vector<int64_t>{0, 0}));
}

TEST(LoadCsv, BadNumberNamesLineAndColumn) {
  std::string p = csv("a,b\n1,2\n3,x4\n");
  EXPECT_EQ(error_of("tensor.load_csv", {p, true}),
            "load_csv: " + p + ":3:3: 'x4' is not a number");
  std::string q = csv("1,,2\n");
  EXPECT_EQ(error_of("tensor.load_csv", {q, false}), "load_csv: " + q + ":1:3: empty value");
  std::string r = csv("1,2 3\n");
  EXPECT_EQ(error_of("tensor.load_csv", {r, false}),
            "load_csv: " + r + ":1:3: '2 3' is not a number");
}

TEST(LoadCsv, RaggedRowsNameLineAndColumn) {
  std::string p = csv("1,2,3\n4,5\n");
  EXPECT_EQ(error_of("tensor.load_csv", {p, false}),
            "load_csv: " + p + ":2:4: row has 2 values, but line 1 has 3");
  std::string q = csv("1,2\n4,5,6\n");
  EXPECT_EQ(error_of("tensor.load_csv", {q, false}),
            "load_csv: " + q + ":2:5: row has more than 2 values, but line 1 has 2");
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
