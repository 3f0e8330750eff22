// The scheduler's view of a graph: bodies, and what each node waits for.
#include <gtest/gtest.h>

#include "backends/local/runtime/GraphIndex.h"
#include "ir/NodeKey.h"

namespace flyte::rt {
namespace {

ir::ValueRef out(uint32_t node) {
  ir::ValueRef v;
  v.kind = ir::ValueRef::Kind::NodeOutput;
  v.index = node;
  return v;
}

TEST(GraphIndexTest, BranchWaitsForWhatItsArmsReadFromOutside) {
  // %0 = task; %1 = task; %2 = branch { if %0: %3 = task(%1) result %3 } else { result %0 }
  ir::Workflow w;
  w.nodes.resize(4);
  w.nodes[0].kind = ir::Node::Kind::Task;
  w.nodes[1].kind = ir::Node::Kind::Task;
  w.nodes[2].kind = ir::Node::Kind::Branch;
  w.nodes[2].extras.make().conditions.push_back(out(0));
  w.nodes[2].extras.make().bodies.resize(2);
  w.nodes[2].extras.make().bodies[0].nodes.push_back({3});
  w.nodes[2].extras.make().bodies[0].result = out(3);
  w.nodes[2].extras.make().bodies[1].result = out(0);
  w.nodes[3].kind = ir::Node::Kind::Task;
  w.nodes[3].args = w.add_args({{out(1), 0}});
  w.top = {{0}, {1}, {2}};
  std::unique_ptr<WorkflowIndex> ix = build_index(w);
  ASSERT_EQ(ix->bodies.size(), 3u);
  EXPECT_EQ(ix->owner[3], 1u);
  EXPECT_EQ(ix->pos[3], 0u);
  EXPECT_EQ(ix->deps[2], (std::vector<uint32_t>{0, 1}));  // %1 only through the arm
  EXPECT_TRUE(ix->deps[3].empty());                       // %1 is ready before the arm starts
  EXPECT_EQ(ix->dependents[1], (std::vector<uint32_t>{2}));
}

TEST(GraphIndexTest, AfterEdgesAndMapItems) {
  // %0 = map over input { %1 = expr(%0.item) result %1 }; %2 = task after %0
  ir::Workflow w;
  w.nodes.resize(3);
  w.nodes[0].kind = ir::Node::Kind::Map;
  ir::ValueRef in;
  in.kind = ir::ValueRef::Kind::Input;
  w.nodes[0].args = w.add_args({{in, 0}});
  w.nodes[0].extras.make().bodies.resize(1);
  w.nodes[0].extras.make().bodies[0].nodes.push_back({1});
  w.nodes[0].extras.make().bodies[0].result = out(1);
  ir::ValueRef item;
  item.kind = ir::ValueRef::Kind::MapItem;
  item.index = 0;
  w.nodes[1].args = w.add_args({{item, 0}});
  w.nodes[2].extras.make().after.push_back({0});
  w.top = {{0}, {2}};
  std::unique_ptr<WorkflowIndex> ix = build_index(w);
  EXPECT_TRUE(ix->deps[0].empty());  // its own item and body are not dependencies
  EXPECT_TRUE(ix->deps[1].empty());
  EXPECT_EQ(ix->deps[2], (std::vector<uint32_t>{0}));
}

// The keys the scheduler gives node runs: run directories and journals of earlier runs
// depend on these exact strings.
TEST(NodeKeyTest, KeysOfNodesSubWorkflowsAndMapItems) {
  EXPECT_EQ(ir::node_key("", ir::NodeId{3}), "n3");
  EXPECT_EQ(ir::subworkflow_prefix("n2"), "n2.");
  EXPECT_EQ(ir::node_key(ir::subworkflow_prefix("n2"), ir::NodeId{0}), "n2.n0");
  EXPECT_EQ(ir::map_item_prefix("n0", 7), "n0-7.");
  EXPECT_EQ(ir::node_key(ir::map_item_prefix("n0", 7), ir::NodeId{1}), "n0-7.n1");
  EXPECT_EQ(ir::node_key(ir::map_item_prefix(ir::node_key("n4.", ir::NodeId{2}), 0), {5}),
            "n4.n2-0.n5");
}

TEST(NodeKeyTest, KeysReadBack) {
  using Steps = std::vector<ir::NodeKeyStep>;
  EXPECT_EQ(ir::parse_node_key("n3"), (Steps{{{3}, std::nullopt}}));
  EXPECT_EQ(ir::parse_node_key("n0-7.n1"), (Steps{{{0}, 7}, {{1}, std::nullopt}}));
  EXPECT_EQ(ir::parse_node_key("n2.n10-0.n4"),
            (Steps{{{2}, std::nullopt}, {{10}, 0}, {{4}, std::nullopt}}));
  for (const char* bad : {"", "n", "x3", "n3.", "n0-7", "n0-7.", "n01", "n3 ", "n-1", "n2..n1"})
    EXPECT_FALSE(ir::parse_node_key(bad)) << bad;
}

}  // namespace
}  // namespace flyte::rt
