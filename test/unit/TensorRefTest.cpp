// In-memory tensors held by reference in run-time values.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "backends/local/runtime/TensorRef.h"

namespace flyte::rt {
namespace {

TensorPtr make_tensor(std::vector<int64_t> shape) {
  auto t = std::make_shared<TensorBuffer>();
  t->dtype = "<f4";
  t->shape = std::move(shape);
  int64_t n = 1;
  for (int64_t d : t->shape) n *= d;
  t->data.resize(static_cast<size_t>(n) * 4);
  return t;
}

TEST(TensorRefTest, AValueRefersToTheBufferWithoutCopyingIt) {
  TensorRegistry reg;
  TensorPtr t = make_tensor({2, 3});
  Value v = reg.put(t);
  EXPECT_TRUE(is_tensor_ref(v));
  Value copy = v;  // copies the id only
  Value list = Value::array({v, copy});
  EXPECT_EQ(reg.get(copy).get(), t.get());
  EXPECT_EQ(reg.get(list[1]).get(), t.get());
  EXPECT_EQ(reg.get(v)->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(reg.get(v)->dtype, "<f4");
  EXPECT_EQ(t.use_count(), 2);  // the registry's reference and ours
}

TEST(TensorRefTest, ReleaseDropsOnlyTheRegistrysReference) {
  TensorRegistry reg;
  Value v = reg.put(make_tensor({4}));
  TensorPtr held = reg.get(v);
  reg.release(v);
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_EQ(reg.get(v), nullptr);
  ASSERT_NE(held, nullptr);  // still alive for whoever holds it
  EXPECT_EQ(held->data.size(), 16u);
  EXPECT_EQ(held.use_count(), 1);
}

TEST(TensorRefTest, PlainJsonIsNotAReference) {
  TensorRegistry reg;
  for (const Value& v : {Value("/runs/x/nodes/n0/m.npy"), Value({{"$tensor", "7"}}),
                         Value({{"$tensor", 1}, {"other", 2}}), Value::object(), Value(nullptr),
                         Value({{"$tensor", -1}})}) {
    EXPECT_FALSE(is_tensor_ref(v)) << v.dump();
    EXPECT_EQ(reg.get(v), nullptr) << v.dump();
  }
  EXPECT_EQ(reg.get(Value({{"$tensor", 99u}})), nullptr);  // never registered
}

TEST(TensorRefTest, ConcurrentPutsGetDistinctIds) {
  TensorRegistry reg;
  std::vector<std::vector<Value>> made(4);
  std::vector<std::thread> threads;
  for (auto& out : made) {
    threads.emplace_back([&reg, &out] {
      for (int i = 0; i < 100; ++i) out.push_back(reg.put(make_tensor({1})));
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& out : made) {
    for (const Value& v : out) ids.insert(v.dump());
  }
  EXPECT_EQ(ids.size(), 400u);
  EXPECT_EQ(reg.size(), 400u);
}

}  // namespace
}  // namespace flyte::rt
