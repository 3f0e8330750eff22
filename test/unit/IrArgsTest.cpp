// A node's arguments by index: the names the text form writes for them (arg_name), and
// reading those names back (arg_param).
#include <gtest/gtest.h>

#include "ir/Args.h"
#include "ir/Ir.h"

namespace flyte::ir {
namespace {

class IrArgsTest : public ::testing::Test {
 protected:
  IrArgsTest() {
    Task t;
    t.name = "train";
    t.inputs.push_back({"data", m.types.int_(), std::nullopt});
    t.inputs.push_back({"lr", m.types.float_(), std::nullopt});
    m.tasks.push_back(t);
    point = m.types.declare(TypeKind::Struct, "Point");
    m.types.define_struct(point, {{"x", m.types.int_()}, {"y", m.types.int_()}});
    m.workflows.emplace_back();
  }
  Workflow& w() { return m.workflows[0]; }

  // The name of `n`'s argument for `param`, and the param read back from that name.
  std::string round_trip(const Node& n, uint32_t param, size_t position) {
    std::string name = arg_name(m, w(), n, Arg{{}, param});
    EXPECT_EQ(arg_param(m, w(), n, position, name), std::optional<uint32_t>(param)) << name;
    return name;
  }

  Module m;
  TypeId point;
};

TEST_F(IrArgsTest, TaskArgumentsAreTheCalleesParameters) {
  Node n;
  n.kind = Node::Kind::Task;
  EXPECT_EQ(round_trip(n, 1, 0), "lr");
  EXPECT_EQ(round_trip(n, 0, 1), "data");
  EXPECT_FALSE(arg_param(m, w(), n, 0, "epochs"));
  EXPECT_FALSE(arg_known(m, w(), n, Arg{{}, 2}));
  EXPECT_EQ(arg_name(m, w(), n, Arg{{}, 2}), "");
}

TEST_F(IrArgsTest, OperandsArePositional) {
  Node add;
  add.op = ExprOp::Add;
  EXPECT_EQ(round_trip(add, 0, 0), "lhs");
  EXPECT_EQ(round_trip(add, 1, 1), "rhs");
  EXPECT_FALSE(arg_param(m, w(), add, 0, "rhs"));
  Node neg;
  neg.op = ExprOp::Neg;
  EXPECT_EQ(round_trip(neg, 0, 0), "x");
  Node list;
  list.op = ExprOp::ListLit;
  EXPECT_EQ(round_trip(list, 2, 2), "2");
  Node map;
  map.kind = Node::Kind::Map;
  EXPECT_EQ(round_trip(map, 0, 0), "over");
  Node fail;
  fail.kind = Node::Kind::Fail;
  EXPECT_EQ(round_trip(fail, 0, 0), "message");
  EXPECT_FALSE(arg_known(m, w(), fail, Arg{{}, 1}));
}

TEST_F(IrArgsTest, StructFieldsAndMapKeys) {
  Node s;
  s.op = ExprOp::StructLit;
  s.type = point;
  EXPECT_EQ(round_trip(s, 1, 0), "y");
  EXPECT_FALSE(arg_param(m, w(), s, 0, "z"));
  Node lit;
  lit.op = ExprOp::MapLit;
  std::optional<uint32_t> k = arg_param(m, w(), lit, 0, "a b");
  ASSERT_TRUE(k);
  EXPECT_EQ(w().keys.at(*k), "a b");
  EXPECT_EQ(arg_name(m, w(), lit, Arg{{}, *k}), "a b");
}

TEST_F(IrArgsTest, ArgumentsAreRangesOfTheWorkflowsTable) {
  Node a;
  a.args = w().add_args({{ValueRef{}, 0}, {ValueRef{}, 1}});
  Node b;
  b.args = w().add_args({{ValueRef{}, 1}});
  EXPECT_EQ(w().args.size(), 3u);
  ASSERT_EQ(w().args_of(a).size(), 2u);
  ASSERT_EQ(w().args_of(b).size(), 1u);
  EXPECT_EQ(w().args_of(b)[0].param, 1u);
  EXPECT_EQ(&w().args_of(b)[0], &w().args[2]);
}

}  // namespace
}  // namespace flyte::ir
