// Unit tests for tensor shape and dtype unification (frontend/check/TensorUnify.h).
#include <gtest/gtest.h>

#include "frontend/check/TensorUnify.h"

namespace flyte {
namespace {

DimSpec lit(int64_t v) { return {DimSpec::Kind::Literal, v, ""}; }
DimSpec var(const char* n) { return {DimSpec::Kind::Var, 0, n}; }
DimSpec unknown() { return {}; }

TensorSpec tensor(const char* dtype, std::vector<DimSpec> dims) {
  TensorSpec s;
  s.dtype = dtype;
  s.dtype_is_var = !TypeTable::is_dtype(dtype);
  s.shape = TensorSpec::Shape::Dims;
  s.dims = std::move(dims);
  return s;
}

TensorSpec any_rank(const char* dtype) {
  TensorSpec s;
  s.dtype = dtype;
  s.dtype_is_var = !TypeTable::is_dtype(dtype);
  return s;
}

TensorSpec shape_var(const char* dtype, const char* name) {
  TensorSpec s = any_rank(dtype);
  s.shape = TensorSpec::Shape::Var;
  s.shape_var = name;
  return s;
}

// A call of `matmul(a: Tensor<DT, [M, K]>, b: Tensor<DT, [K, N]>)` with f32 tensors of
// shapes `a` and `b`.
CallUnification unify_matmul(TypeTable& types, const char* dtype, std::vector<DimSpec> a,
                             std::vector<DimSpec> b) {
  std::vector<UnifyArgument> args = {
      {"a", types.tensor(tensor(dtype, {var("M"), var("K")})),
       types.tensor(tensor("f32", std::move(a)))},
      {"b", types.tensor(tensor(dtype, {var("K"), var("N")})),
       types.tensor(tensor("f32", std::move(b)))},
  };
  return unify_call(types, "matmul", args);
}

TEST(TensorUnifyTest, MatmulBindsEveryVariable) {
  TypeTable types;
  CallUnification u = unify_matmul(types, "T", {lit(2), lit(3)}, {lit(3), lit(4)});
  EXPECT_TRUE(u.mismatches.empty());
  EXPECT_EQ(u.bindings.dims.at("M").value, 2);
  EXPECT_EQ(u.bindings.dims.at("K").value, 3);
  EXPECT_EQ(u.bindings.dims.at("K").from, "argument 'a'");
  EXPECT_EQ(u.bindings.dims.at("N").value, 4);
  EXPECT_EQ(u.bindings.dtypes.at("T").dtype, "f32");

  TypeId out = substitute(types, types.tensor(tensor("T", {var("M"), var("N")})), u.bindings);
  EXPECT_EQ(out, types.tensor(tensor("f32", {lit(2), lit(4)})));
}

TEST(TensorUnifyTest, DisagreeingDimensionIsAShapeMismatch) {
  TypeTable types;
  CallUnification u = unify_matmul(types, "f32", {lit(2), lit(3)}, {lit(5), lit(4)});
  ASSERT_EQ(u.mismatches.size(), 1u);
  EXPECT_EQ(u.mismatches[0].first, 1u);
  EXPECT_EQ(u.mismatches[0].second.kind, TensorMismatch::Kind::Shape);
  EXPECT_EQ(u.mismatches[0].second.message,
            "dimension K of 'matmul': 3 from argument 'a', 5 from argument 'b'");
}

TEST(TensorUnifyTest, LiteralDimensionsAndRanks) {
  auto m = unify_tensor(tensor("f32", {lit(785), lit(10)}), tensor("f32", {lit(785), lit(9)}),
                        nullptr, "argument 'w'", "predict");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message, "dimension 1 of 'predict': 10 declared, 9 from argument 'w'");

  m = unify_tensor(tensor("f32", {var("N"), var("D")}), tensor("f32", {lit(3)}), nullptr,
                   "argument 'x'", "fit");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, TensorMismatch::Kind::Shape);
  EXPECT_EQ(m->message, "tensor rank mismatch: expected rank 2, found rank 1 in argument 'x'");
}

TEST(TensorUnifyTest, Dtypes) {
  auto m = unify_tensor(tensor("f32", {}), tensor("i64", {}), nullptr, "the value", "");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, TensorMismatch::Kind::Dtype);
  EXPECT_EQ(m->message, "tensor dtype mismatch: expected 'f32', found 'i64'");

  TensorBindings b;
  EXPECT_FALSE(unify_tensor(any_rank("T"), any_rank("f32"), &b, "argument 'a'", "add"));
  m = unify_tensor(any_rank("T"), any_rank("f64"), &b, "argument 'b'", "add");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, TensorMismatch::Kind::Dtype);
  EXPECT_EQ(m->message, "dtype T of 'add': f32 from argument 'a', f64 from argument 'b'");
}

TEST(TensorUnifyTest, RunTimeDimensionsMatchAnything) {
  TensorBindings b;
  // `?` and variables of the argument, and a parameter of any rank, are checked at run time.
  EXPECT_FALSE(unify_tensor(tensor("f32", {lit(3), var("N")}), tensor("f32", {unknown(), var("M")}),
                            &b, "argument 'x'", "t"));
  EXPECT_FALSE(unify_tensor(any_rank("f32"), tensor("f32", {lit(1), lit(2), lit(3)}), &b,
                            "argument 'x'", "t"));
  EXPECT_TRUE(b.dims.empty());
  // Without bindings, variables of the parameter bind nothing and match anything.
  EXPECT_FALSE(unify_tensor(tensor("f32", {var("N")}), tensor("f32", {lit(4)}), nullptr,
                            "argument 'x'", "t"));
}

TEST(TensorUnifyTest, ShapeVariableIsOneShape) {
  TensorBindings b;
  EXPECT_FALSE(unify_tensor(shape_var("f32", "S"), tensor("f32", {lit(2), lit(3)}), &b,
                            "argument 'a'", "add"));
  EXPECT_EQ(b.shapes.at("S").dims.size(), 2u);
  auto m = unify_tensor(shape_var("f32", "S"), tensor("f32", {lit(2)}), &b, "argument 'b'", "add");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message,
            "tensor rank mismatch: shape S of 'add' has rank 2 from argument 'a', found rank 1 in "
            "argument 'b'");
  m = unify_tensor(shape_var("f32", "S"), tensor("f32", {lit(2), lit(4)}), &b, "argument 'b'",
                   "add");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->message,
            "dimension 1 of shape S of 'add': 3 from argument 'a', 4 from argument 'b'");
}

TEST(TensorUnifyTest, WalksListsMapsAndOptionals) {
  TypeTable types;
  TypeId want = types.list(types.tensor(tensor("T", {unknown(), var("D")})));
  TypeId got = types.list(types.tensor(tensor("f32", {lit(10), lit(3)})));
  TypeId opt_want = types.optional(types.map(types.tensor(tensor("f32", {var("D")}))));
  TypeId opt_got = types.map(types.tensor(tensor("f32", {lit(4)})));
  CallUnification u =
      unify_call(types, "concat_rows", {{"xs", want, got}, {"m", opt_want, opt_got}});
  EXPECT_EQ(u.bindings.dims.at("D").value, 3);
  ASSERT_EQ(u.mismatches.size(), 1u);
  EXPECT_EQ(u.mismatches[0].first, 1u);
  EXPECT_EQ(u.mismatches[0].second.message,
            "dimension D of 'concat_rows': 3 from argument 'xs', 4 from argument 'm'");
  // `none`, an empty list, and types that are not tensors are not compared.
  EXPECT_TRUE(unify_call(types, "f",
                         {{"a", opt_want, types.none()},
                          {"b", want, types.list(types.never())},
                          {"c", types.int_(), types.string()}})
                  .mismatches.empty());
}

TEST(TensorUnifyTest, SubstituteLeavesUnboundVariables) {
  TypeTable types;
  TensorBindings b;
  b.dims.emplace("N", TensorBindings::Dim{8, "argument 'x'"});
  TypeId t = types.list(types.tensor(tensor("T", {var("N"), var("C")})));
  EXPECT_EQ(substitute(types, t, b), types.list(types.tensor(tensor("T", {lit(8), var("C")}))));
  EXPECT_EQ(describe_argument("x"), "argument 'x'");
  EXPECT_EQ(describe_argument(""), "the value");
}

}  // namespace
}  // namespace flyte
