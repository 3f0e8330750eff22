// Shell command templates: placeholders, doubled braces, and stray braces.
#include <gtest/gtest.h>

#include "support/ShellCommand.h"

namespace flyte {
namespace {

TEST(ShellCommand, SplitsTextAndPlaceholders) {
  std::vector<ShellTemplateError> errors;
  auto pieces = split_shell_command("echo {a} > {o}", errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_FALSE(pieces[0].placeholder);
  EXPECT_EQ(pieces[0].text, "echo ");
  EXPECT_TRUE(pieces[1].placeholder);
  EXPECT_EQ(pieces[1].text, "a");
  EXPECT_EQ(pieces[1].offset, 5u);
  EXPECT_EQ(pieces[2].text, " > ");
  EXPECT_EQ(pieces[3].text, "o");
}

TEST(ShellCommand, DoubledBracesAreLiteral) {
  std::vector<ShellTemplateError> errors;
  auto pieces = split_shell_command("printf '{{\"n\": 1}}' {x}", errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].text, "printf '{\"n\": 1}' ");
  EXPECT_EQ(pieces[1].text, "x");
}

TEST(ShellCommand, StrayBracesAreReportedOnce) {
  std::vector<ShellTemplateError> errors;
  split_shell_command("awk '{ print $1 }'", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].offset, 5u);
  errors.clear();
  split_shell_command("a } b", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("'}}'"), std::string::npos);
  errors.clear();
  split_shell_command("{1x} {}", errors);
  EXPECT_EQ(errors.size(), 2u);
}

}  // namespace
}  // namespace flyte
