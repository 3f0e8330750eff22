// Run-time values: constants, scalar text forms and type checks.
#include "backends/local/runtime/Value.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>

namespace flyte::rt {
namespace {

/// A recursive-descent reader for constants in the IR's source form.
class ConstantReader {
 public:
  ConstantReader(std::string_view s, const TypeTable& types) : s_(s), types_(types) {}

  std::optional<Value> run(TypeId t, std::string& error) {
    std::optional<Value> v = value(t);
    skip();
    if (v && pos_ != s_.size()) fail("unexpected text after the value");
    if (!error_.empty()) {
      error = error_;
      return std::nullopt;
    }
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
  TypeId elem(TypeId t) const {
    const TypeData& d = types_.get(t);
    if (d.kind == TypeKind::Optional) return elem(d.elem);
    return d.kind == TypeKind::List || d.kind == TypeKind::Map ? d.elem : types_.error();
  }
  TypeKind kind(TypeId t) const {
    const TypeData& d = types_.get(t);
    return d.kind == TypeKind::Optional ? types_.kind(d.elem) : d.kind;
  }

  std::optional<std::string> string() {
    if (!accept('"')) return fail("expected a string");
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        c = s_[pos_++];
        if (c == 'n') c = '\n';
      }
      out += c;
    }
    if (!accept('"')) return fail("unterminated string");
    return out;
  }

  std::optional<Value> value(TypeId t) {
    skip();
    if (pos_ >= s_.size()) return fail("expected a value");
    char c = s_[pos_];
    if (c == '"') {
      std::optional<std::string> s = string();
      if (!s) return std::nullopt;
      return Value(*s);
    }
    if (c == '[') return list(t);
    if (c == '{') return map(t);
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '}' &&
           s_[pos_] != ' ')
      ++pos_;
    std::string word(s_.substr(start, pos_ - start));
    if (word == "true" || word == "false") return Value(word == "true");
    if (word == "none") return Value(nullptr);
    if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) != 0 ||
                          word[0] == '-' || word[0] == '.'))
      return number(word, t);
    if (!word.empty() && accept('{')) return structure();
    return fail(fmt::format("'{}' is not a constant", word));
  }

  std::optional<Value> number(const std::string& word, TypeId t) {
    char last = word.back();
    std::string digits = word;
    if (last == 's' || last == 'B') digits.pop_back();
    if (last == 'B' || (last != 's' && digits.find_first_of(".eEn") == std::string::npos &&
                        kind(t) != TypeKind::Float)) {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec == std::errc() && end == digits.data() + digits.size()) return Value(v);
    }
    char* end = nullptr;
    double d = std::strtod(digits.c_str(), &end);
    if (digits.empty() || *end != '\0') return fail(fmt::format("'{}' is not a number", word));
    return Value(d);
  }

  std::optional<Value> list(TypeId t) {
    accept('[');
    Value out = Value::array();
    if (accept(']')) return out;
    do {
      std::optional<Value> v = value(elem(t));
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    } while (accept(','));
    if (!accept(']')) return fail("expected ']'");
    return out;
  }

  std::optional<Value> map(TypeId t) {
    accept('{');
    Value out = Value::object();
    if (accept('}')) return out;
    do {
      std::optional<std::string> k = string();
      if (!k || !accept(':')) return fail("expected '\"key\": value'");
      std::optional<Value> v = value(elem(t));
      if (!v) return std::nullopt;
      out[*k] = std::move(*v);
    } while (accept(','));
    if (!accept('}')) return fail("expected '}'");
    return out;
  }

  // `Name { a = 1, b = "x" }`: the name is already read. Field types are the
  // frontend's, so numbers keep their literal form.
  std::optional<Value> structure() {
    Value out = Value::object();
    if (accept('}')) return out;
    do {
      skip();
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) != 0 || s_[pos_] == '_'))
        ++pos_;
      std::string field(s_.substr(start, pos_ - start));
      if (field.empty() || !accept('=')) return fail("expected 'field = value'");
      std::optional<Value> v = value(types_.error());
      if (!v) return std::nullopt;
      out[field] = std::move(*v);
    } while (accept(','));
    if (!accept('}')) return fail("expected '}'");
    return out;
  }

  std::string_view s_;
  const TypeTable& types_;
  size_t pos_ = 0;
  std::string error_;
};

std::string describe(const Value& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

bool check_path(Value& v, bool want_dir, std::string& error) {
  if (!v.is_string()) {
    error = fmt::format("expected a path, found {}", describe(v));
    return false;
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(v.get<std::string>(), ec);
  struct stat st {};
  if (ec || ::stat(p.c_str(), &st) != 0) {
    error = fmt::format("'{}' does not exist", v.get<std::string>());
    return false;
  }
  if (want_dir != S_ISDIR(st.st_mode)) {
    error = fmt::format("'{}' is {}", v.get<std::string>(),
                        want_dir ? "not a directory" : "a directory, not a file");
    return false;
  }
  v = p.lexically_normal().string();
  return true;
}

bool check_at(Value& v, const TypeTable& types, TypeId t, std::string& error,
              const std::string& where);

bool check_elements(Value& v, const TypeTable& types, TypeId elem, std::string& error,
                    const std::string& where) {
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (!check_at(v[i], types, elem, error, fmt::format("{}[{}]", where, i))) return false;
    }
    return true;
  }
  for (auto& [k, x] : v.items()) {
    if (!check_at(x, types, elem, error, fmt::format("{}[\"{}\"]", where, k))) return false;
  }
  return true;
}

bool check_at(Value& v, const TypeTable& types, TypeId t, std::string& error,
              const std::string& where) {
  const TypeData& d = types.get(t);
  auto bad = [&](std::string_view expected) {
    error = fmt::format("{}{}expected {}, found {}", where, where.empty() ? "" : ": ", expected,
                        describe(v));
    return false;
  };
  std::string inner;
  switch (d.kind) {
    case TypeKind::Int: return v.is_number_integer() ? true : bad("an int");
    case TypeKind::Size:
      return v.is_number_integer() && v.get<int64_t>() >= 0 ? true : bad("a size in bytes");
    case TypeKind::Float:
    case TypeKind::Duration:
      if (!v.is_number()) return bad(d.kind == TypeKind::Float ? "a float" : "seconds");
      v = v.get<double>();
      return true;
    case TypeKind::Bool: return v.is_boolean() ? true : bad("a bool");
    case TypeKind::String:
    case TypeKind::Enum: return v.is_string() ? true : bad("a string");
    case TypeKind::File:
    case TypeKind::Dir:
    case TypeKind::Tensor:
      if (check_path(v, d.kind == TypeKind::Dir, inner)) return true;
      error = where.empty() ? inner : where + ": " + inner;
      return false;
    case TypeKind::Optional: return v.is_null() ? true : check_at(v, types, d.elem, error, where);
    case TypeKind::List:
      return v.is_array() ? check_elements(v, types, d.elem, error, where) : bad("a JSON list");
    case TypeKind::Map:
      return v.is_object() ? check_elements(v, types, d.elem, error, where) : bad("a JSON object");
    case TypeKind::Struct:
    case TypeKind::Outputs: return v.is_object() ? true : bad("a JSON object");
    case TypeKind::None: return v.is_null() ? true : bad("none");
    case TypeKind::Error:
    case TypeKind::Never: return true;
  }
  return true;
}

}  // namespace

std::optional<Value> parse_constant(const std::string& text, const TypeTable& types, TypeId t,
                                    std::string& error) {
  std::optional<Value> v = ConstantReader(text, types).run(t, error);
  if (v && types.kind(t) == TypeKind::Float && v->is_number()) *v = v->get<double>();
  return v;
}

bool is_scalar(const TypeTable& types, TypeId t) {
  switch (types.kind(t)) {
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::String:
    case TypeKind::Duration:
    case TypeKind::Size:
    case TypeKind::Enum: return true;
    default: return false;
  }
}

bool is_path(const TypeTable& types, TypeId t) {
  TypeKind k = types.kind(t);
  return k == TypeKind::File || k == TypeKind::Dir || k == TypeKind::Tensor;
}

std::string scalar_text(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    // fmt's shortest round-trip form, written as Python writes floats (1e-06, 0.5, 2).
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e16)
      return fmt::format("{}", static_cast<int64_t>(d));
    std::string s = fmt::format("{}", d);
    size_t e = s.find('e');
    if (e != std::string::npos && e + 2 < s.size() + 1) {
      // fmt writes 1e-06 already; normalize a bare exponent such as 1e+20.
      return s;
    }
    return s;
  }
  if (v.is_null()) return "";
  return v.dump();
}

std::optional<Value> parse_scalar(std::string_view text, const TypeTable& types, TypeId t,
                                  std::string& error) {
  std::string_view s = trim(text);
  std::string shown(s.substr(0, 60));
  TypeKind k = types.kind(t);
  if (k == TypeKind::Optional) {
    if (s.empty() || s == "none") return Value(nullptr);
    return parse_scalar(s, types, types.get(t).elem, error);
  }
  switch (k) {
    case TypeKind::String:
    case TypeKind::Enum: return Value(std::string(s));
    case TypeKind::Bool:
      if (s == "true" || s == "false") return Value(s == "true");
      error = fmt::format("expected 'true' or 'false', found '{}'", shown);
      return std::nullopt;
    case TypeKind::Int:
    case TypeKind::Size: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty() &&
          (k == TypeKind::Int || v >= 0))
        return Value(v);
      error = fmt::format("expected {}, found '{}'",
                          k == TypeKind::Int ? "an int" : "a size in bytes", shown);
      return std::nullopt;
    }
    case TypeKind::Float:
    case TypeKind::Duration: {
      std::string copy(s);
      char* end = nullptr;
      double v = std::strtod(copy.c_str(), &end);
      if (!copy.empty() && *end == '\0') return Value(v);
      error = fmt::format("expected {}, found '{}'",
                          k == TypeKind::Float ? "a float" : "a duration in seconds", shown);
      return std::nullopt;
    }
    default: break;
  }
  error = "not a scalar type";
  return std::nullopt;
}

bool check_value(Value& v, const TypeTable& types, TypeId t, std::string& error) {
  return check_at(v, types, t, error, "");
}

std::string canonical(const Value& v) {
  // nlohmann::json keeps object keys sorted, so dump() is already canonical.
  return v.dump();
}

}  // namespace flyte::rt
