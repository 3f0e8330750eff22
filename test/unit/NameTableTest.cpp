// Unit tests for the checker's table of visible names (frontend/check/NameTable.h).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "frontend/check/NameTable.h"

namespace flyte::check {
namespace {

// Values are indices into a list of names, as binding indices are in the checker.
struct NameAt {
  const std::vector<std::string>* names;
  std::string_view operator()(uint32_t i) const { return (*names)[i]; }
};

TEST(NameTableTest, FindsInsertsAndErases) {
  std::vector<std::string> names = {"a", "b", "a"};
  NameTable<NameAt> t(NameAt{&names});
  EXPECT_EQ(t.find("a"), nullptr);
  t.erase("a");  // absent: nothing happens
  auto [a, inserted] = t.try_emplace("a", 0);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(*a, 0u);
  auto [again, inserted_again] = t.try_emplace("a", 2);
  EXPECT_FALSE(inserted_again);
  EXPECT_EQ(*again, 0u);
  *again = 2;  // the innermost binding of "a" is now the later one
  EXPECT_EQ(*t.find("a"), 2u);
  EXPECT_EQ(t.find("b"), nullptr);
  t.erase("a");
  EXPECT_EQ(t.find("a"), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

// Random inserts and erases, many of them in the same probe runs, against std::map.
TEST(NameTableTest, AgreesWithAMap) {
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back("x" + std::to_string(i));
  NameTable<NameAt> t(NameAt{&names});
  std::map<std::string, uint32_t> want;
  std::mt19937 rng(7);
  for (int step = 0; step < 50000; ++step) {
    auto index = static_cast<uint32_t>(rng() % names.size());
    const std::string& n = names[index];
    if (rng() % 3 == 0) {
      t.erase(n);
      want.erase(n);
    } else {
      t.try_emplace(n, index);
      want.emplace(n, index);
    }
    if (step % 5000 == 0) t.reserve(want.size() + 100);
  }
  EXPECT_EQ(t.size(), want.size());
  for (const std::string& n : names) {
    auto it = want.find(n);
    uint32_t* got = t.find(n);
    if (it == want.end()) {
      EXPECT_EQ(got, nullptr) << n;
    } else {
      ASSERT_NE(got, nullptr) << n;
      EXPECT_EQ(*got, it->second) << n;
    }
  }
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find(names[0]), nullptr);
}

}  // namespace
}  // namespace flyte::check
