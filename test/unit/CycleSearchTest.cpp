// Unit tests for the cycle search every cycle check shares (ir/Dependencies.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ir/Dependencies.h"

namespace flyte::ir {
namespace {

using Graph = std::vector<std::vector<uint32_t>>;

std::vector<uint32_t> cycle_of(const Graph& g) {
  return find_cycle(static_cast<uint32_t>(g.size()),
                    [&](uint32_t v) -> const std::vector<uint32_t>& { return g[v]; });
}

TEST(CycleSearchTest, SelfLoop) { EXPECT_EQ(cycle_of({{}, {1}}), (std::vector<uint32_t>{1})); }

TEST(CycleSearchTest, TwoNodeCycle) {
  // 0 waits for 1 and 1 for 0; the search starts at 0.
  EXPECT_EQ(cycle_of({{1}, {0}}), (std::vector<uint32_t>{0, 1}));
}

TEST(CycleSearchTest, StartsTheCycleAtTheNodeWaitedFor) {
  // 0 -> 1 -> 2 -> 3 -> 1: the path 1, 2, 3 is closed by 3's wait for 1.
  EXPECT_EQ(cycle_of({{1}, {2}, {3}, {1}}), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(CycleSearchTest, CycleReachableOnlyFromTheLastRoot) {
  // Nodes 0..4 form an acyclic chain that reaches neither 5 nor 6; 5 and 6 wait for each
  // other.
  Graph g = {{}, {0}, {1}, {2}, {3}, {6}, {5}};
  EXPECT_EQ(cycle_of(g), (std::vector<uint32_t>{5, 6}));
  // A self-loop of the last node, which no earlier root reaches.
  Graph last = {{}, {0}, {2}};
  EXPECT_EQ(cycle_of(last), (std::vector<uint32_t>{2}));
}

TEST(CycleSearchTest, AcyclicLongChainNeedsNoDeepStack) {
  // 0 waits for 1, 1 for 2, …: one path 100,000 nodes deep.
  constexpr uint32_t kNodes = 100'000;
  Graph g(kNodes);
  for (uint32_t v = 0; v + 1 < kNodes; ++v) g[v].push_back(v + 1);
  EXPECT_TRUE(cycle_of(g).empty());
  // Closing the chain makes one cycle of every node, in order.
  g.back().push_back(0);
  std::vector<uint32_t> cycle = cycle_of(g);
  ASSERT_EQ(cycle.size(), kNodes);
  EXPECT_EQ(cycle.front(), 0u);
  EXPECT_EQ(cycle.back(), kNodes - 1);
}

TEST(CycleSearchTest, AcceptsARangeMadeOnTheFly) {
  // Edges stored flat, each node's handed out as a span made at each call.
  std::vector<uint32_t> targets = {1, 2, 0};
  std::vector<uint32_t> cycle =
      find_cycle(3, [&](uint32_t v) { return std::span<const uint32_t>(targets.data() + v, 1); });
  EXPECT_EQ(cycle, (std::vector<uint32_t>{0, 1, 2}));
}

TEST(CycleSearchTest, ForEachCycleReportsEveryClosingWaitInSearchOrder) {
  // 0 -> 1 -> 0 closed by 1's first wait; 1 -> 1 by its second; 2 -> 2 by 2's only wait.
  Graph g = {{1}, {0, 1}, {2}};
  std::vector<std::pair<std::vector<uint32_t>, uint32_t>> seen;
  for_each_cycle(
      3, [&](uint32_t v) -> const std::vector<uint32_t>& { return g[v]; },
      [&](std::span<const uint32_t> cycle, uint32_t wait) {
        seen.emplace_back(std::vector<uint32_t>(cycle.begin(), cycle.end()), wait);
        return true;
      });
  using Seen = std::vector<std::pair<std::vector<uint32_t>, uint32_t>>;
  EXPECT_EQ(seen, (Seen{{{0, 1}, 0}, {{1}, 1}, {{2}, 0}}));
}

}  // namespace
}  // namespace flyte::ir
