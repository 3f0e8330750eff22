// load_npy (every dtype, memory-mapped) and save_npy, and their errors.
#include <filesystem>
#include <fstream>

#include "test/unit/tensor/TensorTestUtil.h"

namespace flyte::rt::tensor::testing {
namespace {

TEST(LoadNpy, EveryDtypeWrittenByNumPy) {
  struct Case {
    std::string file;
    DType dtype;
  };
  for (const Case& c :
       {Case{"float32", DType::F32}, Case{"float64", DType::F64}, Case{"int32", DType::I32},
        Case{"int64", DType::I64}, Case{"uint8", DType::U8}, Case{"bool", DType::Bool}}) {
    Tensor t = call1("tensor.load_npy", {golden_path("dtype_" + c.file)});
    EXPECT_EQ(t.dtype(), c.dtype) << c.file;
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
    if (c.dtype == DType::I64) {
      EXPECT_EQ(values<int64_t>(t), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
    }
    if (c.dtype == DType::F64) {
      EXPECT_EQ(values<double>(t), (std::vector<double>{0, 1, 2, 3, 4, 5}));
    }
    if (c.dtype == DType::Bool) {
      EXPECT_EQ(values<uint8_t>(t), (std::vector<uint8_t>{1, 0, 1, 0, 1, 0}));
    }
  }
}

std::string header(const std::string& dict) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(LoadNpy, ClearErrorsForFortranOrderUnknownDtypeAndTruncation) {
  std::string dir = temp_dir("npy");
  std::string f = dir + "/f.npy";
  write_file(f, header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }") +
                    std::string(16, '\0'));
  EXPECT_EQ(error_of("tensor.load_npy", {f}),
            "load_npy: " + f + ": Fortran-ordered data is not supported; save it in C order");
  std::string c = dir + "/c.npy";
  write_file(c, header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }") +
                    std::string(8, '\0'));
  EXPECT_NE(error_of("tensor.load_npy", {c}).find("load_npy: " + c + ": unsupported dtype"),
            std::string::npos);
  std::string t = dir + "/t.npy";
  write_file(t, header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }") +
                    std::string(15, '\0'));
  EXPECT_NE(error_of("tensor.load_npy", {t}).find("load_npy: " + t + ": "), std::string::npos);
  EXPECT_NE(error_of("tensor.load_npy", {dir + "/missing.npy"}).find("missing.npy"),
            std::string::npos);
}

TEST(SaveNpy, RoundTripsThroughTheWorkDir) {
  KernelContext ctx;
  ctx.work_dir = temp_dir("save");
  Tensor x = f32({3, 1}, {1.5f, -2.0f, 3.25f});
  auto out = call("tensor.save_npy", {x}, ctx);
  std::string path = std::get<std::string>(out.at(0));
  EXPECT_EQ(path, ctx.work_dir + "/x.npy");
  Tensor back = call1("tensor.load_npy", {path});
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_EQ(values<float>(back), values<float>(x));
  Tensor empty = f32({0, 4}, {});
  std::string p2 = std::get<std::string>(call("tensor.save_npy", {empty}, ctx).at(0));
  EXPECT_EQ(call1("tensor.load_npy", {p2}).shape(), (std::vector<int64_t>{0, 4}));
}

}  // namespace
}  // namespace flyte::rt::tensor::testing
