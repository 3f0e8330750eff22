// Run-time values: constants, scalar text forms and type checks.
#include "backends/local/runtime/Value.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

namespace flyte::rt {
namespace {

// An optional's value is its element's.
TypeKind value_kind(const TypeTable& types, TypeId t) {
  const TypeData& d = types.get(t);
  return d.kind == TypeKind::Optional ? types.kind(d.elem) : d.kind;
}

TypeId elem(const TypeTable& types, TypeId t) {
  const TypeData& d = types.get(t);
  if (d.kind == TypeKind::Optional) return elem(types, d.elem);
  return d.kind == TypeKind::List || d.kind == TypeKind::Map ? d.elem : types.error();
}

std::string describe(const Value& v) {
  std::string s = v.dump(-1, ' ', false, Value::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

// Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF.
bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;  // continuation bytes
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool check_path(Value& v, bool want_dir, const std::string& base_dir, std::string& error) {
  if (!v.is_string()) {
    error = fmt::format("expected a path, found {}", describe(v));
    return false;
  }
  const std::string& text = v.get_ref<const std::string&>();
  if (text.empty() || text.find('\0') != std::string::npos) {
    error = fmt::format("{} is not a path", describe(v));
    return false;
  }
  if (!is_utf8(text)) {
    error = "a path that is not valid UTF-8 cannot be passed";
    return false;
  }
  if (size_t scheme = text.find("://");
      scheme != std::string::npos && scheme > 0 && text.find('/') == scheme + 1) {
    error = fmt::format("'{}' is a URI; this runtime reads local files only", text);
    return false;
  }
  std::error_code ec;
  std::filesystem::path p = base_dir.empty() || text[0] == '/'
                                ? std::filesystem::absolute(text, ec)
                                : std::filesystem::path(base_dir) / text;
  struct stat st {};
  if (ec || ::stat(p.c_str(), &st) != 0) {
    error = fmt::format("'{}' does not exist", text);
    return false;
  }
  if (want_dir != S_ISDIR(st.st_mode)) {
    error =
        fmt::format("'{}' is {}", text, want_dir ? "not a directory" : "a directory, not a file");
    return false;
  }
  v = p.lexically_normal().string();
  return true;
}

struct Checker {
  const TypeTable& types;
  const std::string& base_dir;
  std::string& error;

  bool elements(Value& v, TypeId elem, const std::string& where) {
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (!at(v[i], elem, fmt::format("{}[{}]", where, i))) return false;
      }
      return true;
    }
    for (auto& [k, x] : v.items()) {
      if (!at(x, elem, fmt::format("{}[\"{}\"]", where, k))) return false;
    }
    return true;
  }

  // A struct value, or a call's named outputs: exactly the declared fields.
  bool fields(Value& v, const TypeData& d, const std::string& where) {
    for (const FieldType& f : d.fields) {
      std::string here = where.empty() ? f.name : where + "." + f.name;
      if (!v.contains(f.name)) {
        if (types.kind(f.type) == TypeKind::Optional) {
          v[f.name] = nullptr;
          continue;
        }
        error = fmt::format("{}{}missing field '{}' ({})", where, where.empty() ? "" : ": ", f.name,
                            types.str(f.type));
        return false;
      }
      if (!at(v[f.name], f.type, here)) return false;
    }
    for (const auto& item : v.items()) {
      const std::string& k = item.key();
      bool known = std::any_of(d.fields.begin(), d.fields.end(),
                               [&](const FieldType& f) { return f.name == k; });
      if (!known) {
        error = fmt::format("{}{}unknown field '{}'", where, where.empty() ? "" : ": ", k);
        return false;
      }
    }
    return true;
  }

  bool at(Value& v, TypeId t, const std::string& where) {
    const TypeData& d = types.get(t);
    auto bad = [&](std::string_view expected) {
      error = fmt::format("{}{}expected {}, found {}", where, where.empty() ? "" : ": ", expected,
                          describe(v));
      return false;
    };
    switch (d.kind) {
      case TypeKind::Int:
      case TypeKind::Size: {
        std::string_view what = d.kind == TypeKind::Int ? "an int" : "a size in bytes";
        // JSON integers above 2^63 - 1 arrive unsigned; they do not fit.
        if (!v.is_number_integer()) return bad(what);
        if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX})
          return bad(fmt::format("{} (at most {})", what, INT64_MAX));
        if (d.kind == TypeKind::Size && v.get<int64_t>() < 0) return bad(what);
        return true;
      }
      case TypeKind::Float:
      case TypeKind::Duration: {
        std::string_view what = d.kind == TypeKind::Float ? "a float" : "seconds";
        if (!v.is_number()) return bad(what);
        double x = v.get<double>();
        if (!std::isfinite(x)) return bad(fmt::format("a finite number of {}", what));
        if (d.kind == TypeKind::Duration && x < 0) return bad("a duration that is not negative");
        v = x;
        return true;
      }
      case TypeKind::Bool: return v.is_boolean() ? true : bad("a bool");
      case TypeKind::String:
        if (!v.is_string()) return bad("a string");
        if (v.get_ref<const std::string&>().find('\0') != std::string::npos)
          return bad("a string without NUL bytes");
        if (!is_utf8(v.get_ref<const std::string&>())) {
          error = fmt::format("{}{}expected a UTF-8 string, found invalid bytes", where,
                              where.empty() ? "" : ": ");
          return false;
        }
        return true;
      case TypeKind::Enum: {
        if (!v.is_string()) return bad("a string");
        const std::string& s = v.get_ref<const std::string&>();
        if (d.members.empty() ||
            std::find(d.members.begin(), d.members.end(), s) != d.members.end())
          return true;
        std::string names;
        for (const std::string& m : d.members) names += (names.empty() ? "'" : ", '") + m + "'";
        return bad(fmt::format("one of {} ({})", names, d.name));
      }
      case TypeKind::File:
      case TypeKind::Dir:
      case TypeKind::Tensor: {
        std::string inner;
        if (check_path(v, d.kind == TypeKind::Dir, base_dir, inner)) return true;
        error = where.empty() ? inner : where + ": " + inner;
        return false;
      }
      case TypeKind::Optional: return v.is_null() ? true : at(v, d.elem, where);
      case TypeKind::List: return v.is_array() ? elements(v, d.elem, where) : bad("a JSON list");
      case TypeKind::Map: return v.is_object() ? elements(v, d.elem, where) : bad("a JSON object");
      case TypeKind::Struct:
      case TypeKind::Outputs: return v.is_object() ? fields(v, d, where) : bad("a JSON object");
      case TypeKind::None: return v.is_null() ? true : bad("none");
      case TypeKind::Error:
      case TypeKind::Never: return true;
    }
    return true;
  }
};

// RFC 6901: `~` and `/` inside a key are escaped.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void visit(Value& v, const TypeTable& types, TypeId t,
           const std::function<void(Value&, const std::string&)>& fn, const std::string& at) {
  const TypeData& d = types.get(t);
  switch (d.kind) {
    case TypeKind::File:
    case TypeKind::Dir:
    case TypeKind::Tensor:
      if (v.is_string()) fn(v, at);
      return;
    case TypeKind::Optional:
      if (!v.is_null()) visit(v, types, d.elem, fn, at);
      return;
    case TypeKind::List:
      if (!v.is_array()) return;
      for (size_t i = 0; i < v.size(); ++i)
        visit(v[i], types, d.elem, fn, at + "/" + std::to_string(i));
      return;
    case TypeKind::Map:
      if (!v.is_object()) return;
      for (auto& [k, x] : v.items()) visit(x, types, d.elem, fn, at + "/" + pointer_token(k));
      return;
    case TypeKind::Struct:
    case TypeKind::Outputs:
      if (!v.is_object()) return;
      for (const FieldType& f : d.fields) {
        auto it = v.find(f.name);
        if (it != v.end()) visit(*it, types, f.type, fn, at + "/" + pointer_token(f.name));
      }
      return;
    default: return;
  }
}

}  // namespace

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

Value constant_value(const ir::Value& c, const TypeTable& types, TypeId t) {
  using Kind = ir::Value::Kind;
  switch (c.kind()) {
    case Kind::None: return nullptr;
    case Kind::Int:
      if (value_kind(types, t) == TypeKind::Float) return static_cast<double>(c.as_int());
      return c.as_int();
    case Kind::Size: return c.as_int();
    case Kind::Float:
    case Kind::Duration: return c.as_float();
    case Kind::Bool: return c.as_bool();
    case Kind::String:
    case Kind::File:
    case Kind::Dir: return c.text();
    case Kind::Enum: return c.member();
    case Kind::List: {
      Value out = Value::array();
      for (const ir::Value& x : c.items()) out.push_back(constant_value(x, types, elem(types, t)));
      return out;
    }
    case Kind::Map:
    case Kind::Struct: {
      // A struct's fields keep their literal's kind: no type is passed down.
      TypeId part = c.kind() == Kind::Map ? elem(types, t) : types.error();
      Value out = Value::object();
      for (size_t i = 0; i < c.items().size(); ++i)
        out[c.keys()[i]] = constant_value(c.items()[i], types, part);
      return out;
    }
  }
  return nullptr;
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
    case TypeKind::Enum:
      if (s.find('\0') != std::string_view::npos) {
        error = "expected a string without NUL bytes";
        return std::nullopt;
      }
      return Value(std::string(s));
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
      if (!copy.empty() && *end == '\0' && std::isfinite(v) && (k == TypeKind::Float || v >= 0))
        return Value(v);
      error = fmt::format(
          "expected {}, found '{}'",
          k == TypeKind::Float ? "a finite float" : "a duration in seconds, not negative", shown);
      return std::nullopt;
    }
    default: break;
  }
  error = "not a scalar type";
  return std::nullopt;
}

bool check_value(Value& v, const TypeTable& types, TypeId t, std::string& error,
                 const std::string& base_dir) {
  return Checker{types, base_dir, error}.at(v, t, "");
}

std::optional<Value> parse_json(std::string_view text, std::string& error) {
  // nlohmann's parser is iterative, but copying, printing and checking a value recurse:
  // a bound on the nesting keeps them all within the stack.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        error = fmt::format("JSON nested more than {} levels deep", kMaxJsonDepth);
        return std::nullopt;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  Value v = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  return v;
}

void visit_paths(Value& v, const TypeTable& types, TypeId t,
                 const std::function<void(Value& leaf, const std::string& pointer)>& fn,
                 const std::string& prefix) {
  visit(v, types, t, fn, prefix);
}

std::string canonical(const Value& v) {
  // nlohmann::json keeps object keys sorted, so dump() is already canonical. Checked
  // values are valid UTF-8; anything else (a message quoting a task's bytes) is printed
  // with U+FFFD in place of bad bytes rather than throwing.
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

}  // namespace flyte::rt
