// The IR's constant values: construction, the text form's spelling, reading it back,
// and the .pb form.
#include <gtest/gtest.h>

#include <limits>

#include "ir/Serialize.h"
#include "ir/Value.h"

namespace flyte::ir {
namespace {

class IrValueTest : public ::testing::Test {
 protected:
  // Reads `text` as a value of type `t`, expecting it to be one.
  Value read(std::string_view text, TypeId t) {
    std::string error;
    std::optional<Value> v = parse_value(text, types, t, error);
    EXPECT_TRUE(v.has_value()) << text << ": " << error;
    return v.value_or(Value());
  }
  // The error reading `text` gives.
  std::string error_of(std::string_view text) {
    std::string error;
    EXPECT_FALSE(parse_value(text, types, types.error(), error).has_value()) << text;
    return error;
  }
  // Spells `text`'s value again: the text form's round trip.
  std::string again(std::string_view text, TypeId t) { return value_text(read(text, t)); }

  TypeTable types;
};

TEST_F(IrValueTest, IsSmall) { EXPECT_EQ(sizeof(Value), 24U); }

TEST_F(IrValueTest, ScalarsKeepTheirKindAndValue) {
  EXPECT_EQ(Value().kind(), Value::Kind::None);
  EXPECT_EQ(Value::int_(-7).as_int(), -7);
  EXPECT_EQ(Value::float_(0.5).as_float(), 0.5);
  EXPECT_TRUE(Value::bool_(true).as_bool());
  EXPECT_EQ(Value::duration(90).as_float(), 90.0);
  EXPECT_EQ(Value::size(4096).as_int(), 4096);
  EXPECT_EQ(Value::string("a").text(), "a");
  EXPECT_EQ(Value::file("/f").kind(), Value::Kind::File);
  EXPECT_EQ(Value::dir("/d").kind(), Value::Kind::Dir);
  EXPECT_EQ(Value::enum_("Color", "red").member(), "red");
  EXPECT_EQ(Value::enum_("Color", "red").text(), "Color");
  EXPECT_TRUE(Value::enum_("Color", "red").keys().empty());
  // Same spelling, different kinds: a size is not an int, a path is not a string.
  EXPECT_NE(Value::size(1), Value::int_(1));
  EXPECT_NE(Value::file("a"), Value::string("a"));
}

TEST_F(IrValueTest, CopiesAreDeep) {
  Value a = Value::list({Value::string("x"), Value::map({"k"}, {Value::int_(1)})});
  Value b = a;
  EXPECT_EQ(a, b);
  b = Value::list({});
  EXPECT_EQ(a.items().size(), 2U);
  EXPECT_EQ(a.items()[1].keys(), std::vector<std::string>{"k"});
}

TEST_F(IrValueTest, SpellsAsTheTextForm) {
  EXPECT_EQ(value_text(Value()), "none");
  EXPECT_EQ(value_text(Value::int_(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(value_text(Value::float_(2)), "2.0");
  EXPECT_EQ(value_text(Value::float_(1e-06)), "1e-06");
  EXPECT_EQ(value_text(Value::float_(0.1)), "0.1");
  EXPECT_EQ(value_text(Value::float_(1e300)), "1e+300");
  EXPECT_EQ(value_text(Value::duration(600)), "600s");
  EXPECT_EQ(value_text(Value::duration(0.5)), "0.5s");
  EXPECT_EQ(value_text(Value::size(2147483648)), "2147483648B");
  EXPECT_EQ(value_text(Value::string("a \"b\"\\\nc")), R"("a \"b\"\\\nc")");
  EXPECT_EQ(value_text(Value::list({Value::int_(1), Value::int_(2)})), "[1, 2]");
  EXPECT_EQ(value_text(Value::list({})), "[]");
  EXPECT_EQ(value_text(Value::map({"k", "j"}, {Value::string("v"), Value::none()})),
            R"({"k": "v", "j": none})");
  EXPECT_EQ(value_text(Value::struct_("Point", {"x", "y"}, {Value::int_(1), Value::int_(-2)})),
            "Point { x = 1, y = -2 }");
  EXPECT_EQ(value_text(Value::struct_("Empty", {}, {})), "Empty { }");
  EXPECT_EQ(value_text(Value::enum_("Color", "red")), "Color.red");
}

TEST_F(IrValueTest, ReadsBackWhatItSpells) {
  for (const char* text :
       {"42", "-9223372036854775808", "9223372036854775807", "0.5", "2.0", "1e-06", "1e+300",
        "-0.25", "true", "false", "none", R"("a \"b\"\\\nc")", "90s", "0.001s", "4096B",
        "[1, [2, 3], []]", R"({"b": 1, "a": {"x": [true]}})", "Point { x = 1, y = [0.5] }",
        "Outer { p = Inner { }, s = \"t\" }"}) {
    EXPECT_EQ(again(text, types.error()), text);
  }
  // Every double reads back to the same number.
  for (double d : {0.1, 1.0 / 3, 6.02214076e23, 5e-324, std::numeric_limits<double>::max()}) {
    EXPECT_EQ(read(value_text(Value::float_(d)), types.error()).as_float(), d);
  }
}

TEST_F(IrValueTest, ReadsKindsFromTheText) {
  EXPECT_EQ(read("3", types.float_()), Value::int_(3));  // the literal as written
  EXPECT_EQ(read("3.0", types.error()), Value::float_(3));
  EXPECT_EQ(read("90s", types.error()), Value::duration(90));
  EXPECT_EQ(read("4096B", types.error()), Value::size(4096));
  EXPECT_EQ(read(R"("x")", types.error()), Value::string("x"));
}

TEST_F(IrValueTest, ExpectedTypesTellPathsAndEnumMembers) {
  EXPECT_EQ(read(R"("/a")", types.file()), Value::file("/a"));
  EXPECT_EQ(read(R"("/a")", types.optional(types.dir())), Value::dir("/a"));
  EXPECT_EQ(read(R"(["/a"])", types.list(types.file())), Value::list({Value::file("/a")}));
  EXPECT_EQ(read(R"({"k": "/a"})", types.map(types.dir())), Value::map({"k"}, {Value::dir("/a")}));

  TypeId job = types.declare(TypeKind::Struct, "Job");
  types.define_struct(job, {{"script", types.file()}, {"note", types.string()}});
  Value j = read(R"(Job { script = "/s.py", note = "n" })", types.error());
  EXPECT_EQ(j,
            Value::struct_("Job", {"script", "note"}, {Value::file("/s.py"), Value::string("n")}));

  TypeId color = types.declare(TypeKind::Enum, "Color");
  types.define_enum(color, {"red", "green"});
  EXPECT_EQ(read("Color.green", color), Value::enum_("Color", "green"));
  EXPECT_EQ(read("Color.red", types.error()), Value::enum_("Color", "red"));
  EXPECT_NE(error_of("Color.blue"), "");
}

TEST_F(IrValueTest, MalformedValuesAreErrors) {
  EXPECT_EQ(error_of("[1, 2"), "expected ']'");
  EXPECT_EQ(error_of("\"open"), "unterminated string");
  EXPECT_NE(error_of("{\"k\" 1}"), "");
  EXPECT_NE(error_of("{k: 1}"), "");
  EXPECT_EQ(error_of("1 2"), "unexpected text after the value");
  EXPECT_EQ(error_of("12x"), "'12x' is not a number");
  EXPECT_EQ(error_of("99999999999999999999"), "'99999999999999999999' does not fit in 64 bits");
  EXPECT_EQ(error_of("bare"), "'bare' is not a constant");
  EXPECT_EQ(error_of("P { x 1 }"), "expected 'field = value'");
  EXPECT_EQ(error_of(""), "expected a value");
  std::string deep(300, '[');
  EXPECT_EQ(error_of(deep + std::string(300, ']')), "a value is nested more than 200 levels deep");
}

TEST_F(IrValueTest, ReadsOneValueOfALine) {
  std::string error;
  std::string_view line = R"(f(a = [1, 2], b = "x, y"))";
  size_t pos = line.find('[');
  std::optional<Value> v = read_value(line, pos, types, types.error(), error);
  ASSERT_TRUE(v.has_value()) << error;
  EXPECT_EQ(line.substr(pos), R"(, b = "x, y"))");
  pos = line.find('"');
  v = read_value(line, pos, types, types.error(), error);
  ASSERT_TRUE(v.has_value()) << error;
  EXPECT_EQ(v->text(), "x, y");
  EXPECT_EQ(line.substr(pos), ")");
}

TEST_F(IrValueTest, SurvivesTheProtobufForm) {
  Module m;
  std::vector<Value> values = {
      Value(),
      Value::int_(std::numeric_limits<int64_t>::max()),
      Value::float_(0.1),
      Value::bool_(false),
      Value::string("s"),
      Value::duration(1.5),
      Value::size(1),
      Value::file("/f"),
      Value::dir("/d"),
      Value::list({Value::int_(1), Value::list({})}),
      Value::map({"b", "a"}, {Value::int_(2), Value::int_(1)}),
      Value::struct_("P", {"y", "x"}, {Value::string("/p"), Value()}),
      Value::enum_("Color", "red"),
  };
  for (const Value& v : values) m.constants.push_back({types.error(), v});
  std::string error;
  std::unique_ptr<Module> back = from_protobuf(to_protobuf(m), error);
  ASSERT_NE(back, nullptr) << error;
  ASSERT_EQ(back->constants.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(back->constants[i].value, values[i]) << value_text(values[i]);
}

}  // namespace
}  // namespace flyte::ir
