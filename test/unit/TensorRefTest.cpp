// The process's in-memory tensors by .npy path, and .npy files mapped into memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/TensorRef.h"

namespace flyte::rt {
namespace {

using tensor::DType;
using tensor::Tensor;

/// A fresh folder for one test.
std::string temp_dir() {
  std::string dir = ::testing::TempDir() + "tensorref-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

Tensor filled(std::vector<int64_t> shape, float value) {
  Tensor t = Tensor::allocate(DType::F32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.mutable_as<float>()[i] = value;
  return t;
}

/// Writes `t` as a .npy file at `path`.
void save(const std::string& path, const Tensor& t) {
  std::string error;
  ASSERT_TRUE(write_npy(path, "f32", t.shape(), t.data(), t.bytes(), error)) << error;
}

TEST(TensorRefTest, APublishedTensorIsHandedOverWithoutReadingTheFile) {
  std::string dir = temp_dir();
  TensorCache cache(1 << 20);
  Tensor t = filled({2, 3}, 1.5F);
  save(dir + "/x.npy", t);
  cache.put(dir + "/x.npy", t);
  std::optional<Tensor> got = cache.get(dir + "/x.npy");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data(), t.data());  // the same storage, not a copy
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.bytes(), 24U);
  cache.release(dir + "/x.npy");
  EXPECT_FALSE(cache.get(dir + "/x.npy"));
  EXPECT_EQ(got->as<float>()[5], 1.5F);  // holders keep it
}

TEST(TensorRefTest, TheLeastRecentlyUsedGoWhenTheBudgetIsExceeded) {
  std::string dir = temp_dir();
  TensorCache cache(100);  // room for two tensors of 40 bytes
  for (const char* name : {"a", "b", "c"}) save(dir + "/" + name + ".npy", filled({10}, 1));
  cache.put(dir + "/a.npy", filled({10}, 1));
  cache.put(dir + "/b.npy", filled({10}, 2));
  ASSERT_TRUE(cache.get(dir + "/a.npy"));  // a is now the most recently used
  cache.put(dir + "/c.npy", filled({10}, 3));
  EXPECT_TRUE(cache.get(dir + "/a.npy"));
  EXPECT_FALSE(cache.get(dir + "/b.npy"));
  EXPECT_TRUE(cache.get(dir + "/c.npy"));
  EXPECT_EQ(cache.bytes(), 80U);
}

TEST(TensorRefTest, AFileRewrittenSinceIsReadAgain) {
  std::string dir = temp_dir();
  TensorCache cache(1 << 20);
  save(dir + "/x.npy", filled({4}, 1));
  cache.put(dir + "/x.npy", filled({4}, 1));
  save(dir + "/x.npy", filled({5}, 2));
  EXPECT_FALSE(cache.get(dir + "/x.npy"));
  EXPECT_EQ(cache.size(), 0U);
}

TEST(TensorRefTest, AnNpyFileIsMappedIntoMemory) {
  std::string dir = temp_dir();
  save(dir + "/m.npy", filled({3, 4}, 2.5F));
  std::string error;
  std::optional<Tensor> t = load_tensor(dir + "/m.npy", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->dtype(), DType::F32);
  EXPECT_EQ(t->shape(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(t->as<float>()[11], 2.5F);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data()) % 64, 0U);  // the file's aligned data
  EXPECT_FALSE(load_tensor(dir + "/missing.npy", error));
  std::ofstream(dir + "/bad.npy") << "not numpy";
  EXPECT_FALSE(load_tensor(dir + "/bad.npy", error));
  EXPECT_FALSE(error.empty());
}

TEST(TensorRefTest, ReleasingAValueDropsEveryTensorItNames) {
  std::string dir = temp_dir();
  TensorCache& cache = TensorCache::process();
  for (const char* name : {"a", "b", "c"}) {
    std::string path = dir + "/" + name + ".npy";
    save(path, filled({2}, 1));
    cache.put(path, filled({2}, 1));
  }
  release_tensors(Value{{"x", dir + "/a.npy"}, {"parts", {dir + "/b.npy", 3, "text"}}});
  EXPECT_FALSE(cache.get(dir + "/a.npy"));
  EXPECT_FALSE(cache.get(dir + "/b.npy"));
  EXPECT_TRUE(cache.get(dir + "/c.npy"));
  cache.release(dir + "/c.npy");
}

}  // namespace
}  // namespace flyte::rt
