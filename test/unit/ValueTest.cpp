// Run-time values: the IR's constants as run-time values, scalar text forms, type checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "backends/local/runtime/Expr.h"
#include "backends/local/runtime/Value.h"

namespace flyte::rt {
namespace {

class ValueTest : public ::testing::Test {
 protected:
  // A constant written in the IR's text form, as the runtime sees it.
  Value constant(const std::string& text, TypeId t) {
    std::string error;
    std::optional<ir::Value> v = ir::parse_value(text, types, t, error);
    EXPECT_TRUE(v.has_value()) << text << ": " << error;
    return v ? constant_value(*v, types, t) : Value();
  }
  std::string constant_error(const std::string& text) {
    std::string error;
    EXPECT_FALSE(ir::parse_value(text, types, types.error(), error).has_value()) << text;
    return error;
  }
  TypeTable types;
};

TEST_F(ValueTest, ConstantsInSourceForm) {
  EXPECT_EQ(constant("42", types.int_()), Value(42));
  EXPECT_EQ(constant("-7", types.int_()), Value(-7));
  EXPECT_TRUE(constant("3", types.float_()).is_number_float());  // an int literal as a float
  EXPECT_EQ(constant("0.5", types.float_()), Value(0.5));
  EXPECT_EQ(constant("1e-06", types.float_()), Value(1e-06));
  EXPECT_EQ(constant("true", types.bool_()), Value(true));
  EXPECT_EQ(constant("none", types.optional(types.int_())), Value(nullptr));
  EXPECT_EQ(constant(R"("a \"b\"\\\nc")", types.string()), Value("a \"b\"\\\nc"));
  EXPECT_EQ(constant("90s", types.duration()), Value(90.0));
  EXPECT_EQ(constant("0.5s", types.duration()), Value(0.5));
  EXPECT_EQ(constant("4096B", types.size()), Value(4096));
}

TEST_F(ValueTest, CompositeConstants) {
  EXPECT_EQ(constant("[1, 2, 3]", types.list(types.int_())), Value::parse("[1,2,3]"));
  Value floats = constant("[1, 2]", types.list(types.float_()));
  EXPECT_TRUE(floats[0].is_number_float());
  EXPECT_EQ(constant(R"({"a": [], "b": ["x, y"]})", types.map(types.list(types.string()))),
            Value::parse(R"({"a":[],"b":["x, y"]})"));
  EXPECT_EQ(constant("Point { x = 1, y = -2 }", types.error()), Value::parse(R"({"x":1,"y":-2})"));
  EXPECT_EQ(constant("Outer { p = Point { x = 1 }, tags = [\"t\"] }", types.error()),
            Value::parse(R"({"p":{"x":1},"tags":["t"]})"));
}

TEST_F(ValueTest, PathsAndEnumMembersAreStrings) {
  TypeId color = types.declare(TypeKind::Enum, "Color");
  types.define_enum(color, {"red", "green"});
  EXPECT_EQ(constant("Color.green", color), Value("green"));
  EXPECT_EQ(constant(R"("/data/in.csv")", types.optional(types.file())), Value("/data/in.csv"));
  EXPECT_EQ(constant(R"(["/d"])", types.list(types.dir())), Value::parse(R"(["/d"])"));
}

TEST_F(ValueTest, MalformedConstantsAreErrors) {
  EXPECT_NE(constant_error("[1, 2"), "");
  EXPECT_NE(constant_error("\"open"), "");
  EXPECT_NE(constant_error("{\"k\" 1}"), "");
  EXPECT_NE(constant_error("1 2"), "");
  EXPECT_NE(constant_error("12x"), "");
  EXPECT_NE(constant_error("bare"), "");
  EXPECT_NE(constant_error(""), "");
}

TEST_F(ValueTest, ScalarTextForms) {
  EXPECT_EQ(scalar_text(Value(2)), "2");
  EXPECT_EQ(scalar_text(Value(0.5)), "0.5");
  EXPECT_EQ(scalar_text(Value(1e-06)), "1e-06");
  EXPECT_EQ(scalar_text(Value(90.0)), "90");
  EXPECT_EQ(scalar_text(Value(true)), "true");
  EXPECT_EQ(scalar_text(Value("a b")), "a b");
}

TEST_F(ValueTest, ParseScalarTrimsAndChecks) {
  std::string error;
  EXPECT_EQ(parse_scalar("  42 \n", types, types.int_(), error), Value(42));
  EXPECT_EQ(parse_scalar("0.25\n", types, types.float_(), error), Value(0.25));
  EXPECT_EQ(parse_scalar(" two words \n\n", types, types.string(), error), Value("two words"));
  EXPECT_EQ(parse_scalar("none", types, types.optional(types.int_()), error), Value(nullptr));
  EXPECT_FALSE(parse_scalar("4.5", types, types.int_(), error));
  EXPECT_EQ(error, "expected an int, found '4.5'");
  EXPECT_FALSE(parse_scalar("-1", types, types.size(), error));
  EXPECT_FALSE(parse_scalar("yes", types, types.bool_(), error));
  EXPECT_FALSE(parse_scalar("", types, types.float_(), error));
}

TEST_F(ValueTest, CheckValueNamesWhereItIsWrong) {
  std::string error;
  Value v = Value::parse(R"([{"a": 1}, {"a": "x"}])");
  EXPECT_FALSE(check_value(v, types, types.list(types.map(types.int_())), error));
  EXPECT_EQ(error, R"([1]["a"]: expected an int, found "x")");
  Value ints = Value::parse("[1, 2]");
  EXPECT_TRUE(check_value(ints, types, types.list(types.float_()), error));
  EXPECT_TRUE(ints[0].is_number_float());
  Value opt = nullptr;
  EXPECT_TRUE(check_value(opt, types, types.optional(types.string()), error));
}

TEST_F(ValueTest, StructsHaveExactlyTheirFields) {
  TypeId point = types.declare(TypeKind::Struct, "Point");
  types.define_struct(point, {{"x", types.int_()}, {"label", types.optional(types.string())}});
  std::string error;
  Value ok = Value::parse(R"({"x": 1})");
  EXPECT_TRUE(check_value(ok, types, point, error)) << error;
  EXPECT_TRUE(ok["label"].is_null());  // a missing optional field is none
  Value missing = Value::parse(R"({"label": "a"})");
  EXPECT_FALSE(check_value(missing, types, point, error));
  EXPECT_EQ(error, "missing field 'x' (int)");
  Value extra = Value::parse(R"({"x": 1, "y": 2})");
  EXPECT_FALSE(check_value(extra, types, point, error));
  EXPECT_EQ(error, "unknown field 'y'");
  Value nested = Value::parse(R"([{"x": 1}, {"x": "one"}])");
  EXPECT_FALSE(check_value(nested, types, types.list(point), error));
  EXPECT_EQ(error, R"([1].x: expected an int, found "one")");
}

TEST_F(ValueTest, EnumsAreOneOfTheirMembers) {
  TypeId color = types.declare(TypeKind::Enum, "Color");
  types.define_enum(color, {"red", "green"});
  std::string error;
  Value green = "green";
  EXPECT_TRUE(check_value(green, types, color, error));
  Value blue = "blue";
  EXPECT_FALSE(check_value(blue, types, color, error));
  EXPECT_EQ(error, R"(expected one of 'red', 'green' (Color), found "blue")");
}

TEST_F(ValueTest, NumbersAtTheirLimits) {
  std::string error;
  Value largest = Value::parse("9223372036854775807");
  EXPECT_TRUE(check_value(largest, types, types.int_(), error));
  Value beyond = Value::parse("9223372036854775808");
  EXPECT_FALSE(check_value(beyond, types, types.int_(), error));
  Value zero = 0.0;
  EXPECT_TRUE(check_value(zero, types, types.duration(), error));
  Value negative = -0.001;
  EXPECT_FALSE(check_value(negative, types, types.duration(), error));
  Value inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(check_value(inf, types, types.float_(), error));
  EXPECT_FALSE(parse_scalar("nan", types, types.float_(), error));
  EXPECT_FALSE(parse_scalar("1e400", types, types.float_(), error));
  EXPECT_TRUE(parse_scalar("1e300", types, types.float_(), error));
  EXPECT_FALSE(parse_scalar("-1", types, types.duration(), error));
  EXPECT_FALSE(parse_scalar("9223372036854775808", types, types.int_(), error));
  EXPECT_FALSE(parse_scalar(std::string("a\0b", 3), types, types.string(), error));
  Value nul = std::string("a\0b", 3);
  EXPECT_FALSE(check_value(nul, types, types.string(), error));
}

TEST_F(ValueTest, JsonDepthIsBounded) {
  std::string error;
  std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parse_json(at_limit, error).has_value()) << error;
  std::string beyond = "[" + at_limit + "]";
  EXPECT_FALSE(parse_json(beyond, error).has_value());
  EXPECT_EQ(error, "JSON nested more than 256 levels deep");
  // Brackets inside strings do not count; escaped quotes do not end a string.
  std::string in_string = "[\"\\\"" + std::string(1000, '[') + "\"]";
  EXPECT_TRUE(parse_json(in_string, error).has_value()) << error;
  EXPECT_FALSE(parse_json("[1, 2", error).has_value());
  EXPECT_EQ(error, "not valid JSON");
}

TEST_F(ValueTest, VisitPathsFindsFilesAtAnyDepth) {
  TypeId bundle = types.declare(TypeKind::Struct, "Bundle");
  types.define_struct(bundle, {{"f", types.file()}, {"n", types.int_()}});
  TypeId t = types.map(types.list(types.optional(bundle)));
  Value v = Value::parse(R"({"a/b": [{"f": "/x", "n": 1}, null], "c": [{"f": "/y", "n": 2}]})");
  std::vector<std::string> seen;
  visit_paths(v, types, t, [&](Value& leaf, const std::string& pointer) {
    seen.push_back(pointer + "=" + leaf.get<std::string>());
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/a~1b/0/f=/x", "/c/0/f=/y"}));
}

TEST_F(ValueTest, PathsMustExistAndBeOfTheirKind) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "flytec-value-test";
  fs::create_directories(dir);
  std::ofstream(dir / "f") << "x";
  std::string error;
  Value file = (dir / "f").string();
  EXPECT_TRUE(check_value(file, types, types.file(), error)) << error;
  Value missing = (dir / "nope").string();
  EXPECT_FALSE(check_value(missing, types, types.file(), error));
  EXPECT_NE(error.find("does not exist"), std::string::npos);
  Value d = dir.string();
  EXPECT_FALSE(check_value(d, types, types.file(), error));
  EXPECT_NE(error.find("a directory, not a file"), std::string::npos);
  EXPECT_TRUE(check_value(d, types, types.dir(), error));
  fs::remove_all(dir);
}

// `op` by its spelling (`+`, `<=`), as the text form writes it.
std::optional<Value> eval(const std::string& op, Value a, Value b, TypeKind k, std::string& error) {
  std::optional<ir::ExprOp> known = ir::parse_expr_op(op);
  if (!known) return std::nullopt;
  return eval_expr(*known, {{"lhs", std::move(a)}, {"rhs", std::move(b)}}, k, error);
}

TEST(ExprTest, ArithmeticAndComparisons) {
  std::string error;
  EXPECT_EQ(eval("+", 2, 3, TypeKind::Int, error), Value(5));
  EXPECT_EQ(eval("/", 7, 2, TypeKind::Int, error), Value(3));
  EXPECT_EQ(eval("/", 7.0, 2, TypeKind::Float, error), Value(3.5));
  EXPECT_EQ(eval("-", 1, 0.5, TypeKind::Float, error), Value(0.5));
  EXPECT_EQ(eval("<", 1, 2.5, TypeKind::Bool, error), Value(true));
  EXPECT_EQ(eval(">=", 3, 3, TypeKind::Bool, error), Value(true));
  EXPECT_EQ(eval("==", "a", "a", TypeKind::Bool, error), Value(true));
  EXPECT_EQ(eval("and", true, false, TypeKind::Bool, error), Value(false));
  EXPECT_EQ(eval("+", "ab", "c", TypeKind::String, error), Value("abc"));
  EXPECT_EQ(eval_expr(ir::ExprOp::Neg, {{"x", 4}}, TypeKind::Int, error), Value(-4));
  EXPECT_EQ(eval_expr(ir::ExprOp::ListLit, {{"0", 1}, {"1", 2}}, TypeKind::List, error),
            Value::parse("[1,2]"));
  EXPECT_EQ(eval_expr(ir::ExprOp::StructLit, {{"x", 1}}, TypeKind::Struct, error),
            Value::parse(R"({"x":1})"));
}

TEST(ExprTest, RunTimeErrorsAreReportedNotUndefined) {
  std::string error;
  EXPECT_FALSE(eval("/", 1, 0, TypeKind::Int, error));
  EXPECT_EQ(error, "division by zero: 1 / 0");
  EXPECT_FALSE(eval("/", 1.0, 0.0, TypeKind::Float, error));
  EXPECT_FALSE(eval("+", INT64_MAX, 1, TypeKind::Int, error));
  EXPECT_NE(error.find("integer overflow"), std::string::npos);
  EXPECT_FALSE(eval("*", INT64_MIN, -1, TypeKind::Int, error));
  EXPECT_FALSE(eval("/", INT64_MIN, -1, TypeKind::Int, error));
  EXPECT_FALSE(eval_expr(ir::ExprOp::Neg, {{"x", INT64_MIN}}, TypeKind::Int, error));
  EXPECT_FALSE(ir::parse_expr_op("%%"));
}

}  // namespace
}  // namespace flyte::rt
