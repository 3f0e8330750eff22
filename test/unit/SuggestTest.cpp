// "Did you mean": edit distance with a limit that grows with the name.
#include <gtest/gtest.h>

#include "frontend/Suggest.h"

namespace flyte {
namespace {

TEST(Suggest, FindsTheClosestName) {
  std::vector<std::string_view> names = {"train", "test", "prepare"};
  EXPECT_EQ(closest_name("trian", names), std::optional<std::string_view>("train"));
  EXPECT_EQ(closest_name("prepar", names), std::optional<std::string_view>("prepare"));
  EXPECT_EQ(closest_name("tset", names), std::optional<std::string_view>("test"));
}

TEST(Suggest, NothingWhenFarOrExact) {
  std::vector<std::string_view> names = {"train", "test"};
  EXPECT_FALSE(closest_name("zebra", names).has_value());
  EXPECT_FALSE(closest_name("train", {"train"}).has_value());
  EXPECT_FALSE(closest_name("x", {}).has_value());
}

}  // namespace
}  // namespace flyte
