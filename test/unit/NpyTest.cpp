// .npy headers: the dtypes and shapes read, the files refused and why, robustness against
// arbitrary bytes, checks against declared dtypes and shapes, and writing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "backends/local/runtime/Npy.h"

namespace flyte::rt {
namespace {

namespace fs = std::filesystem;

// A .npy file as numpy writes it: magic, version, header length, the dict padded with
// spaces and ended by a newline so that the data starts at a multiple of 64, the data.
std::string npy_bytes(const std::string& dict, size_t data_bytes, int major = 1) {
  const size_t preamble = major == 1 ? 10 : 12;
  std::string header = dict;
  size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < preamble - 8; ++i)
    out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  out += header;
  out.append(data_bytes, '\x5a');
  return out;
}

std::string dict_of(const std::string& descr, const std::string& shape,
                    const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "flyte-npy-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string put(const std::string& bytes, const std::string& name = "t.npy") {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // The header of `bytes`, or nullopt with the error in `error_`.
  std::optional<NpyHeader> read(const std::string& bytes) {
    error_.clear();
    return read_npy_header(put(bytes), error_);
  }

  // The error for `bytes`, which must be refused.
  std::string refusal(const std::string& bytes) {
    auto h = read(bytes);
    EXPECT_FALSE(h.has_value());
    EXPECT_FALSE(error_.empty());
    return error_;
  }

  fs::path dir_;
  std::string error_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(NpyTest, ReadsEveryDtype) {
  const std::vector<std::tuple<std::string, std::string, size_t>> cases = {
      {"<f2", "f16", 2}, {"<V2", "bf16", 2}, {"<f4", "f32", 4}, {"<f8", "f64", 8}, {"|i1", "i8", 1},
      {"<i4", "i32", 4}, {"<i8", "i64", 8},  {"|u1", "u8", 1},  {"|b1", "bool", 1}};
  for (const auto& [descr, name, size] : cases) {
    auto h = read(npy_bytes(dict_of(descr, "(2, 3)"), 6 * size));
    ASSERT_TRUE(h) << descr << ": " << error_;
    EXPECT_EQ(h->dtype, name);
    EXPECT_EQ(h->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(h->data_offset, 128u);  // 10 + 59 + 1 bytes, rounded up to a multiple of 64
  }
}

TEST_F(NpyTest, OneByteTypesMayCarryLittleEndianMark) {
  auto h = read(npy_bytes(dict_of("<u1", "(4,)"), 4));
  ASSERT_TRUE(h) << error_;
  EXPECT_EQ(h->dtype, "u8");
}

TEST_F(NpyTest, ReadsShapesOfEveryRank) {
  auto scalar = read(npy_bytes(dict_of("<f8", "()"), 8));
  ASSERT_TRUE(scalar) << error_;
  EXPECT_TRUE(scalar->shape.empty());

  auto vec = read(npy_bytes(dict_of("<f4", "(5,)"), 20));
  ASSERT_TRUE(vec) << error_;
  EXPECT_EQ(vec->shape, (std::vector<int64_t>{5}));

  auto empty = read(npy_bytes(dict_of("<f4", "(0, 7)"), 0));
  ASSERT_TRUE(empty) << error_;
  EXPECT_EQ(empty->shape, (std::vector<int64_t>{0, 7}));

  auto py2 = read(npy_bytes(dict_of("<i4", "(2L, 3L)"), 24));
  ASSERT_TRUE(py2) << error_;
  EXPECT_EQ(py2->shape, (std::vector<int64_t>{2, 3}));

  auto trailing = read(npy_bytes(dict_of("<i4", "(2, 3,)"), 24));
  ASSERT_TRUE(trailing) << error_;
  EXPECT_EQ(trailing->shape, (std::vector<int64_t>{2, 3}));
}

TEST_F(NpyTest, AcceptsAnyKeyOrderAndQuoting) {
  auto h = read(npy_bytes("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i8\"}", 24));
  ASSERT_TRUE(h) << error_;
  EXPECT_EQ(h->dtype, "i64");
  EXPECT_EQ(h->shape, (std::vector<int64_t>{3}));
}

TEST_F(NpyTest, ReadsVersions2And3) {
  for (int major : {2, 3}) {
    auto h = read(npy_bytes(dict_of("<f4", "(4, 4)"), 64, major));
    ASSERT_TRUE(h) << major << ": " << error_;
    EXPECT_EQ(h->dtype, "f32");
    EXPECT_EQ(h->data_offset, 128u);
  }
}

TEST_F(NpyTest, RefusesBigEndianFortranAndOtherDtypes) {
  EXPECT_TRUE(contains(refusal(npy_bytes(dict_of(">f4", "(2,)"), 8)), "big-endian"));
  EXPECT_TRUE(contains(refusal(npy_bytes(dict_of("<f4", "(2, 2)", "True"), 16)), "Fortran"));
  for (std::string descr : {"<c8", "<u4", "<i2", "<U3", "|S4", "<f16", "O", "<M8[s]", "<V4"})
    EXPECT_TRUE(contains(refusal(npy_bytes(dict_of(descr, "(2,)"), 32)), "unsupported dtype"))
        << descr;
  std::string structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }";
  EXPECT_TRUE(contains(refusal(npy_bytes(structured, 8)), "structured"));
}

TEST_F(NpyTest, RefusesSizeMismatchesWithBothNumbers) {
  std::string err = refusal(npy_bytes(dict_of("<f4", "(3, 4)"), 47));
  EXPECT_TRUE(contains(err, "expected 176 bytes")) << err;
  EXPECT_TRUE(contains(err, "found 175")) << err;
  err = refusal(npy_bytes(dict_of("<f4", "(3, 4)"), 49));
  EXPECT_TRUE(contains(err, "expected 176 bytes")) << err;
  EXPECT_TRUE(contains(err, "found 177")) << err;
}

TEST_F(NpyTest, RefusesDamagedPreambles) {
  std::string good = npy_bytes(dict_of("<f4", "(2,)"), 8);
  EXPECT_TRUE(contains(refusal(""), "too short"));
  EXPECT_TRUE(contains(refusal(good.substr(0, 9)), "too short"));
  EXPECT_TRUE(contains(refusal("\x93NUMPX" + good.substr(6)), "magic"));
  std::string v4 = good;
  v4[6] = 4;
  EXPECT_TRUE(contains(refusal(v4), "version 4.0"));
  std::string v11 = good;
  v11[7] = 1;
  EXPECT_TRUE(contains(refusal(v11), "version 1.1"));
  EXPECT_TRUE(contains(refusal(good.substr(0, 40)), "truncated"));
  std::string huge = "\x93NUMPY\x02";
  huge += std::string("\0\xff\xff\xff\x7f", 5);
  huge += std::string(100, ' ');
  EXPECT_TRUE(contains(refusal(huge), "1 MiB"));
}

TEST_F(NpyTest, RefusesMalformedDicts) {
  const std::vector<std::string> bad = {
      "",
      "{}",
      "'descr': '<f4'",
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
      "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
      "{'descr': <f4, 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4\", 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",
      "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
  };
  for (const std::string& dict : bad) {
    std::string err = refusal(npy_bytes(dict, 8));
    EXPECT_TRUE(contains(err, "malformed")) << dict << " -> " << err;
  }
}

TEST_F(NpyTest, RefusesShapesWhoseSizeOverflows) {
  std::string err = refusal(npy_bytes(dict_of("<f8", "(4611686018427387904, 4)"), 8));
  EXPECT_TRUE(contains(err, "too large")) << err;
}

TEST_F(NpyTest, NeverCrashesOnArbitraryBytes) {
  std::mt19937 rng(12345);
  auto byte = [&] { return static_cast<char>(rng() & 0xff); };
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 300, '\0');
    for (char& c : bytes) c = byte();
    if (i % 2 == 0) bytes = "\x93NUMPY" + bytes;  // get past the magic half the time
    auto h = read(bytes);
    if (h) {
      EXPECT_LE(h->data_offset, bytes.size());
    }
  }
  const std::string good = npy_bytes(dict_of("<f4", "(3, 4)"), 48);
  const std::string alphabet = "{}()[],:'\" 0123456789LTrueFalsdcpho<|>fiub\n\\\x93\xff";
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) {
      size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0: bytes[at] = byte(); break;
        case 1: bytes[at] = alphabet[rng() % alphabet.size()]; break;
        case 2: bytes.erase(at, 1 + rng() % 8); break;
        case 3: bytes.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (bytes.empty()) bytes = "x";
    }
    auto h = read(bytes);
    if (h) {
      EXPECT_LE(h->data_offset, bytes.size());
      EXPECT_FALSE(h->dtype.empty());
    }
  }
}

NpyHeader header(const std::string& dtype, std::vector<int64_t> shape) {
  NpyHeader h;
  h.dtype = dtype;
  h.shape = std::move(shape);
  h.data_offset = 64;
  return h;
}

NpyDim lit(int64_t v) { return {NpyDim::Kind::Literal, v, ""}; }
NpyDim var(const std::string& name) { return {NpyDim::Kind::Var, 0, name}; }
NpyDim any() { return {NpyDim::Kind::Any, 0, ""}; }

TEST(CheckNpy, DtypeMustMatch) {
  std::map<std::string, int64_t> b;
  std::string err;
  EXPECT_FALSE(check_npy(header("f64", {2}), "f32", nullptr, b, err));
  EXPECT_EQ(err, "dtype is f64, declared f32");
  EXPECT_TRUE(check_npy(header("f32", {2, 3, 4}), "f32", nullptr, b, err));
}

TEST(CheckNpy, RankMustMatch) {
  std::map<std::string, int64_t> b;
  std::string err;
  std::vector<NpyDim> dims = {var("N"), var("D"), var("C")};
  EXPECT_FALSE(check_npy(header("f32", {2, 3}), "f32", &dims, b, err));
  EXPECT_EQ(err, "rank is 2, declared 3 ([N, D, C])");
  std::vector<NpyDim> mixed = {lit(4), any()};
  EXPECT_FALSE(check_npy(header("f32", {4}), "f32", &mixed, b, err));
  EXPECT_EQ(err, "rank is 1, declared 2 ([4, ?])");
}

TEST(CheckNpy, LiteralsAndAnyDimensions) {
  std::map<std::string, int64_t> b;
  std::string err;
  std::vector<NpyDim> dims = {any(), lit(4)};
  EXPECT_TRUE(check_npy(header("u8", {17, 4}), "u8", &dims, b, err)) << err;
  EXPECT_FALSE(check_npy(header("u8", {17, 3}), "u8", &dims, b, err));
  EXPECT_EQ(err, "dimension 1 is 3, declared 4");
  EXPECT_TRUE(b.empty());
}

TEST(CheckNpy, VariablesBindAcrossTensors) {
  std::map<std::string, int64_t> b;
  std::string err;
  std::vector<NpyDim> first = {var("N"), var("D")};
  ASSERT_TRUE(check_npy(header("f32", {3, 4}), "f32", &first, b, err)) << err;
  EXPECT_EQ(b, (std::map<std::string, int64_t>{{"D", 4}, {"N", 3}}));

  std::vector<NpyDim> second = {var("N"), var("K")};
  ASSERT_TRUE(check_npy(header("i64", {3, 9}), "i64", &second, b, err)) << err;
  EXPECT_EQ(b.at("K"), 9);

  std::vector<NpyDim> third = {var("M"), var("D")};
  EXPECT_FALSE(check_npy(header("f32", {7, 3}), "f32", &third, b, err));
  EXPECT_EQ(err, "dimension 1 (D) is 3, but D is 4 from an earlier tensor");
  EXPECT_EQ(b.count("M"), 0u);  // a failed check binds nothing
}

TEST(CheckNpy, VariableRepeatedWithinOneTensor) {
  std::map<std::string, int64_t> b;
  std::string err;
  std::vector<NpyDim> square = {var("N"), var("N")};
  EXPECT_TRUE(check_npy(header("f32", {5, 5}), "f32", &square, b, err)) << err;
  b.clear();
  EXPECT_FALSE(check_npy(header("f32", {2, 3}), "f32", &square, b, err));
  EXPECT_EQ(err, "dimension 1 (N) is 3, but N is 2 from dimension 0");
  EXPECT_TRUE(b.empty());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(NpyTest, WriteThenReadRoundTrips) {
  const std::vector<float> data = {1, 2, 3, 4.5f, -5, 6};
  std::string path = (dir_ / "out.npy").string();
  std::string err;
  ASSERT_TRUE(write_npy(path, "f32", {2, 3}, data.data(), data.size() * 4, err)) << err;
  auto h = read_npy_header(path, err);
  ASSERT_TRUE(h) << err;
  EXPECT_EQ(h->dtype, "f32");
  EXPECT_EQ(h->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(h->data_offset % 64, 0u);

  std::string bytes = slurp(path);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(bytes.substr(10, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(bytes[h->data_offset - 1], '\n');
  ASSERT_EQ(bytes.size(), h->data_offset + 24);
  std::vector<float> back(6);
  std::memcpy(back.data(), bytes.data() + h->data_offset, 24);
  EXPECT_EQ(back, data);

  // Only the target is left: no temporary files.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(NpyTest, WritesEveryDtypeAndRank) {
  std::string err;
  const char zeros[64] = {};
  const std::vector<std::pair<std::string, size_t>> types = {{"f16", 2}, {"bf16", 2}, {"f32", 4},
                                                             {"f64", 8}, {"i8", 1},   {"i32", 4},
                                                             {"i64", 8}, {"u8", 1},   {"bool", 1}};
  const std::vector<std::vector<int64_t>> shapes = {{}, {3}, {2, 2}, {1, 2, 1, 2}, {0, 5}};
  for (const auto& [dtype, size] : types) {
    for (const auto& shape : shapes) {
      size_t n = size;
      for (int64_t d : shape) n *= static_cast<size_t>(d);
      std::string path = (dir_ / (dtype + ".npy")).string();
      ASSERT_TRUE(write_npy(path, dtype, shape, zeros, n, err)) << err;
      auto h = read_npy_header(path, err);
      ASSERT_TRUE(h) << dtype << ": " << err;
      EXPECT_EQ(h->dtype, dtype);
      EXPECT_EQ(h->shape, shape);
    }
  }
  EXPECT_TRUE(contains(slurp((dir_ / "bf16.npy").string()), "'descr': '<V2'"));
}

TEST_F(NpyTest, WriteOneDimensionalShapeAsPythonTuple) {
  std::string err;
  const int32_t v[3] = {1, 2, 3};
  std::string path = (dir_ / "v.npy").string();
  ASSERT_TRUE(write_npy(path, "i32", {3}, v, sizeof v, err)) << err;
  EXPECT_TRUE(contains(slurp(path), "'shape': (3,), }"));
  ASSERT_TRUE(write_npy(path, "i32", {}, v, 4, err)) << err;
  EXPECT_TRUE(contains(slurp(path), "'shape': (), }"));
}

TEST_F(NpyTest, WriteRefusesBadArguments) {
  std::string err;
  const float v[4] = {};
  std::string path = (dir_ / "x.npy").string();
  EXPECT_FALSE(write_npy(path, "c64", {4}, v, 16, err));
  EXPECT_TRUE(contains(err, "c64"));
  EXPECT_FALSE(write_npy(path, "f32", {4}, v, 12, err));
  EXPECT_TRUE(contains(err, "16")) << err;
  EXPECT_FALSE(write_npy(path, "f32", {-1}, v, 0, err));
  EXPECT_FALSE(write_npy((dir_ / "no" / "x.npy").string(), "f32", {4}, v, 16, err));
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(NpyTest, WriteReplacesAnExistingFile) {
  std::string err;
  std::string path = put("old junk", "r.npy");
  const double v[2] = {1.0, 2.0};
  ASSERT_TRUE(write_npy(path, "f64", {2}, v, sizeof v, err)) << err;
  auto h = read_npy_header(path, err);
  ASSERT_TRUE(h) << err;
  EXPECT_EQ(h->shape, (std::vector<int64_t>{2}));
}

}  // namespace
}  // namespace flyte::rt
