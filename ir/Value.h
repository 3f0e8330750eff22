// A constant's value in the IR, decoded once by lowering: none, a scalar, a path, or a
// list, map, struct value or enum member made of them; and its text form's spelling.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/Types.h"

namespace flyte::ir {

/// A constant's value, such as the `[1, 2]` of `xs: List<int> = [1, 2]`. It is the
/// literal as written: an int literal given where a float is expected stays an int (the
/// constant's type says what it is given as). Scalars are held inline; strings, names
/// and elements out of line, so that a value is 24 bytes.
class Value {
 public:
  enum class Kind : uint8_t {
    None,      // `none`
    Int,       // `42`
    Float,     // `0.5`
    Bool,      // `true`
    String,    // `"a"`
    Duration,  // `90s`: seconds
    Size,      // `4096B`: bytes
    File,      // `"/data/in.csv"`: a path, made absolute by lowering
    Dir,       // `"/data/images"`
    List,      // `[1, 2]`
    Map,       // `{"k": 1}`: entries in the order written
    Struct,    // `Point { x = 1, y = 2 }`: fields in the order written
    Enum,      // `Color.red`
  };

  /// `none`.
  Value() noexcept;
  Value(const Value& o);
  Value(Value&& o) noexcept;
  Value& operator=(const Value& o);
  Value& operator=(Value&& o) noexcept;
  ~Value();

  static Value none() { return {}; }
  static Value int_(int64_t v);
  static Value float_(double v);
  static Value bool_(bool v);
  static Value string(std::string s);
  static Value duration(double seconds);
  static Value size(int64_t bytes);
  static Value file(std::string path);
  static Value dir(std::string path);
  static Value list(std::vector<Value> items);
  /// `{"a": 1, "b": 2}`: keys `a`, `b` and values `1`, `2`, in the order written.
  static Value map(std::vector<std::string> keys, std::vector<Value> values);
  /// `Point { x = 1 }`: the struct's name as written, its fields and their values.
  static Value struct_(std::string name, std::vector<std::string> fields,
                       std::vector<Value> values);
  /// `Color.red`: the enum's name and the member.
  static Value enum_(std::string name, std::string member);

  Kind kind() const { return kind_; }
  /// Int: the integer; Size: bytes.
  int64_t as_int() const { return scalar_.i; }
  /// Float: the number; Duration: seconds.
  double as_float() const { return scalar_.f; }
  bool as_bool() const { return scalar_.b; }
  /// String, File, Dir: the text; Struct and Enum: the type's name; empty otherwise.
  const std::string& text() const;
  /// Enum: the member's name.
  const std::string& member() const;
  /// Map: the keys; Struct: the field names; empty otherwise.
  const std::vector<std::string>& keys() const;
  /// List: the items; Map and Struct: the values, one per key; empty otherwise.
  const std::vector<Value>& items() const;

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  struct Data;
  Value(Kind kind, std::unique_ptr<Data> data);

  Kind kind_ = Kind::None;
  union Scalar {
    int64_t i;
    double f;
    bool b;
  } scalar_{0};
  std::unique_ptr<Data> data_;  // String, File, Dir, List, Map, Struct, Enum
};

/// The text form's spelling of a value: `42`, `0.5`, `1e-06`, `2.0`, `"a\n"`, `90s`,
/// `4096B`, `[1, 2]`, `{"k": 1}`, `Point { x = 1 }`, `Color.red`, `none`. Floats are
/// written so that they read back to the same number.
std::string value_text(const Value& v);

/// How deeply a value read from text may nest.
constexpr int kMaxValueDepth = 200;

/// Reads a value as value_text writes it from `text`, starting at `pos` and leaving
/// `pos` after it. `expected` (the error type when there is none) tells strings that are
/// paths (`File`, `Dir`) and enum members; a struct value's fields take the struct's
/// field types. nullopt with `error` ("'12x' is not a number") when the text is not a
/// value.
std::optional<Value> read_value(std::string_view text, size_t& pos, const TypeTable& types,
                                TypeId expected, std::string& error);

/// Reads all of `text` as one value, as read_value.
std::optional<Value> parse_value(std::string_view text, const TypeTable& types, TypeId expected,
                                 std::string& error);

}  // namespace flyte::ir
