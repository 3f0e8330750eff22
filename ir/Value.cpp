// Constants' values: construction, the text form's spelling, and reading it back.
#include "ir/Value.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "ir/Printer.h"
#include "support/CppString.h"

namespace flyte::ir {

struct Value::Data {
  std::string text;               // String, File, Dir; Struct and Enum: the type's name
  std::vector<std::string> keys;  // Map keys; Struct fields; Enum: the member
  std::vector<Value> items;       // List items; Map and Struct values
};

Value::Value(Kind kind, std::unique_ptr<Data> data) : kind_(kind), data_(std::move(data)) {}

Value::Value(const Value& o)
    : kind_(o.kind_),
      scalar_(o.scalar_),
      data_(o.data_ ? std::make_unique<Data>(*o.data_) : nullptr) {}

Value& Value::operator=(const Value& o) {
  if (this != &o) {
    kind_ = o.kind_;
    scalar_ = o.scalar_;
    data_ = o.data_ ? std::make_unique<Data>(*o.data_) : nullptr;
  }
  return *this;
}

Value::Value() noexcept = default;
Value::Value(Value&& o) noexcept = default;
Value& Value::operator=(Value&& o) noexcept = default;
Value::~Value() = default;

Value Value::int_(int64_t v) {
  Value out;
  out.kind_ = Kind::Int;
  out.scalar_.i = v;
  return out;
}

Value Value::float_(double v) {
  Value out;
  out.kind_ = Kind::Float;
  out.scalar_.f = v;
  return out;
}

Value Value::bool_(bool v) {
  Value out;
  out.kind_ = Kind::Bool;
  out.scalar_.b = v;
  return out;
}

Value Value::duration(double seconds) {
  Value out = float_(seconds);
  out.kind_ = Kind::Duration;
  return out;
}

Value Value::size(int64_t bytes) {
  Value out = int_(bytes);
  out.kind_ = Kind::Size;
  return out;
}

Value Value::string(std::string s) {
  return {Kind::String, std::make_unique<Data>(Data{std::move(s), {}, {}})};
}

Value Value::file(std::string path) {
  return {Kind::File, std::make_unique<Data>(Data{std::move(path), {}, {}})};
}

Value Value::dir(std::string path) {
  return {Kind::Dir, std::make_unique<Data>(Data{std::move(path), {}, {}})};
}

Value Value::list(std::vector<Value> items) {
  return {Kind::List, std::make_unique<Data>(Data{{}, {}, std::move(items)})};
}

Value Value::map(std::vector<std::string> keys, std::vector<Value> values) {
  return {Kind::Map, std::make_unique<Data>(Data{{}, std::move(keys), std::move(values)})};
}

Value Value::struct_(std::string name, std::vector<std::string> fields, std::vector<Value> values) {
  return {Kind::Struct,
          std::make_unique<Data>(Data{std::move(name), std::move(fields), std::move(values)})};
}

Value Value::enum_(std::string name, std::string member) {
  return {Kind::Enum, std::make_unique<Data>(Data{std::move(name), {std::move(member)}, {}})};
}

const std::string& Value::text() const {
  static const std::string kNone;
  return data_ ? data_->text : kNone;
}

const std::string& Value::member() const {
  static const std::string kNone;
  return kind_ == Kind::Enum ? data_->keys.front() : kNone;
}

const std::vector<std::string>& Value::keys() const {
  static const std::vector<std::string> kNone;
  return data_ && kind_ != Kind::Enum ? data_->keys : kNone;
}

const std::vector<Value>& Value::items() const {
  static const std::vector<Value> kNone;
  return data_ ? data_->items : kNone;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Value::Kind::None: return true;
    case Value::Kind::Int:
    case Value::Kind::Size: return a.scalar_.i == b.scalar_.i;
    case Value::Kind::Float:
    case Value::Kind::Duration: return a.scalar_.f == b.scalar_.f;
    case Value::Kind::Bool: return a.scalar_.b == b.scalar_.b;
    default:
      return a.data_->text == b.data_->text && a.data_->keys == b.data_->keys &&
             a.data_->items == b.data_->items;
  }
}

namespace {

void append_text(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::None: out += "none"; return;
    case Value::Kind::Int: out += std::to_string(v.as_int()); return;
    case Value::Kind::Float: {
      std::string s = fmt::format("{}", v.as_float());
      // `2.0`, not `2`: the text reads back as a float.
      if (s.find_first_of(".en") == std::string::npos) s += ".0";
      out += s;
      return;
    }
    case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::String:
    case Value::Kind::File:
    case Value::Kind::Dir: out += quote(v.text()); return;
    case Value::Kind::Duration: out += fmt::format("{}s", v.as_float()); return;
    case Value::Kind::Size: out += fmt::format("{}B", v.as_int()); return;
    case Value::Kind::List:
      out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ", ";
        append_text(v.items()[i], out);
      }
      out += ']';
      return;
    case Value::Kind::Map:
      out += '{';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ", ";
        out += quote(v.keys()[i]) + ": ";
        append_text(v.items()[i], out);
      }
      out += '}';
      return;
    case Value::Kind::Struct:
      out += v.text() + " {";
      for (size_t i = 0; i < v.items().size(); ++i) {
        out += (i > 0 ? ", " : " ") + v.keys()[i] + " = ";
        append_text(v.items()[i], out);
      }
      out += " }";
      return;
    case Value::Kind::Enum: out += v.text() + "." + v.member(); return;
  }
}

/// A recursive-descent reader for values in the text form's spelling.
class Reader {
 public:
  Reader(std::string_view s, size_t pos, const TypeTable& types)
      : s_(s), pos_(pos), types_(types) {}

  std::optional<Value> run(TypeId expected, size_t& pos, std::string& error) {
    std::optional<Value> v = value(expected, 0);
    if (!error_.empty()) {
      error = error_;
      return std::nullopt;
    }
    pos = pos_;
    return v;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool accept(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::nullopt_t fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return std::nullopt;
  }
  // An optional's value is its element's.
  const TypeData& data(TypeId t) const {
    const TypeData& d = types_.get(t);
    return d.kind == TypeKind::Optional ? types_.get(d.elem) : d;
  }
  TypeId elem(TypeId t) const {
    const TypeData& d = data(t);
    return d.kind == TypeKind::List || d.kind == TypeKind::Map ? d.elem : types_.error();
  }
  // The type named `name` of kind `kind`: `expected` when it is one, else the first
  // declared so; the error type when there is none.
  TypeId named(TypeId expected, TypeKind kind, std::string_view name) const {
    const TypeData& d = data(expected);
    if (d.kind == kind)
      return d.kind == types_.kind(expected) ? expected : types_.get(expected).elem;
    for (uint32_t i = 0; i < types_.count(); ++i) {
      const TypeData& t = types_.get(TypeId{i});
      if (t.kind == kind && t.name == name) return TypeId{i};
    }
    return types_.error();
  }

  std::optional<std::string> string() {
    if (!accept('"')) return fail("expected a string");
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        size_t length = 0;
        c = read_cpp_escape(s_, pos_, length);
        pos_ += length;
      }
      out += c;
    }
    if (!accept('"')) return fail("unterminated string");
    return out;
  }

  std::optional<Value> value(TypeId t, int depth) {
    if (depth > kMaxValueDepth)
      return fail(fmt::format("a value is nested more than {} levels deep", kMaxValueDepth));
    skip();
    if (pos_ >= s_.size()) return fail("expected a value");
    char c = s_[pos_];
    if (c == '"') {
      std::optional<std::string> s = string();
      if (!s) return std::nullopt;
      TypeKind k = data(t).kind;
      if (k == TypeKind::File) return Value::file(std::move(*s));
      if (k == TypeKind::Dir) return Value::dir(std::move(*s));
      return Value::string(std::move(*s));
    }
    if (c == '[') return list(t, depth);
    if (c == '{') return map(t, depth);
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '}' &&
           s_[pos_] != ')' && s_[pos_] != ' ')
      ++pos_;
    std::string_view word = s_.substr(start, pos_ - start);
    if (word == "true" || word == "false") return Value::bool_(word == "true");
    if (word == "none") return Value::none();
    if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) != 0 ||
                          word[0] == '-' || word[0] == '.'))
      return number(word);
    size_t brace = pos_;
    if (!word.empty() && accept('{')) return structure(std::string(word), t, depth);
    pos_ = brace;
    if (size_t dot = word.rfind('.'); dot != std::string_view::npos) {
      std::string_view name = word.substr(0, dot);
      std::string_view member = word.substr(dot + 1);
      TypeId e = named(t, TypeKind::Enum, name);
      for (const std::string& m : types_.get(e).members) {
        if (m == member) return Value::enum_(std::string(name), m);
      }
    }
    return fail(fmt::format("'{}' is not a constant", word));
  }

  std::optional<Value> number(std::string_view word) {
    char last = word.back();
    std::string_view digits = word;
    if (last == 's' || last == 'B') digits.remove_suffix(1);
    if (last == 'B' || (last != 's' && digits.find_first_of(".eEn") == std::string::npos)) {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec == std::errc() && end == digits.data() + digits.size())
        return last == 'B' ? Value::size(v) : Value::int_(v);
      if (ec == std::errc::result_out_of_range)
        return fail(fmt::format("'{}' does not fit in 64 bits", word));
      return fail(fmt::format("'{}' is not a number", word));
    }
    std::string text(digits);
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return fail(fmt::format("'{}' is not a number", word));
    return last == 's' ? Value::duration(d) : Value::float_(d);
  }

  std::optional<Value> list(TypeId t, int depth) {
    accept('[');
    std::vector<Value> items;
    if (accept(']')) return Value::list(std::move(items));
    do {
      std::optional<Value> v = value(elem(t), depth + 1);
      if (!v) return std::nullopt;
      items.push_back(std::move(*v));
    } while (accept(','));
    if (!accept(']')) return fail("expected ']'");
    return Value::list(std::move(items));
  }

  std::optional<Value> map(TypeId t, int depth) {
    accept('{');
    std::vector<std::string> keys;
    std::vector<Value> values;
    if (accept('}')) return Value::map(std::move(keys), std::move(values));
    do {
      skip();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected '\"key\": value'");
      std::optional<std::string> k = string();
      if (!k || !accept(':')) return fail("expected '\"key\": value'");
      std::optional<Value> v = value(elem(t), depth + 1);
      if (!v) return std::nullopt;
      keys.push_back(std::move(*k));
      values.push_back(std::move(*v));
    } while (accept(','));
    if (!accept('}')) return fail("expected '}'");
    return Value::map(std::move(keys), std::move(values));
  }

  // `Name { a = 1, b = "x" }`: the name and the brace are already read.
  std::optional<Value> structure(std::string name, TypeId t, int depth) {
    const TypeData& d = types_.get(named(t, TypeKind::Struct, name));
    std::vector<std::string> fields;
    std::vector<Value> values;
    if (accept('}')) return Value::struct_(std::move(name), std::move(fields), std::move(values));
    do {
      skip();
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '_'))
        ++pos_;
      std::string field(s_.substr(start, pos_ - start));
      if (field.empty() || !accept('=')) return fail("expected 'field = value'");
      TypeId ft = types_.error();
      for (const FieldType& f : d.fields) {
        if (f.name == field) ft = f.type;
      }
      std::optional<Value> v = value(ft, depth + 1);
      if (!v) return std::nullopt;
      fields.push_back(std::move(field));
      values.push_back(std::move(*v));
    } while (accept(','));
    if (!accept('}')) return fail("expected '}'");
    return Value::struct_(std::move(name), std::move(fields), std::move(values));
  }

  std::string_view s_;
  size_t pos_;
  const TypeTable& types_;
  std::string error_;
};

}  // namespace

std::string value_text(const Value& v) {
  std::string out;
  append_text(v, out);
  return out;
}

std::optional<Value> read_value(std::string_view text, size_t& pos, const TypeTable& types,
                                TypeId expected, std::string& error) {
  return Reader(text, pos, types).run(expected, pos, error);
}

std::optional<Value> parse_value(std::string_view text, const TypeTable& types, TypeId expected,
                                 std::string& error) {
  size_t pos = 0;
  std::optional<Value> v = read_value(text, pos, types, expected, error);
  while (v && pos < text.size() && text[pos] == ' ') ++pos;
  if (v && pos != text.size()) {
    error = "unexpected text after the value";
    return std::nullopt;
  }
  return v;
}

}  // namespace flyte::ir
