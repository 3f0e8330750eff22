// A small ordered YAML tree for the manifests, emitted with yaml-cpp. Maps keep the
// order their keys were added in (so goldens read like hand-written manifests), and a
// string that YAML would read as something else (`1`, `true`, `null`, ``) is quoted, so
// that every field the schemas type as a string stays one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte::k8s {

class Yaml {
 public:
  enum class Kind : uint8_t { Null, Str, Int, Bool, Map, Seq };

  Yaml() = default;
  Yaml(const char* s) : kind_(Kind::Str), str_(s) {}  // NOLINT(google-explicit-constructor)
  Yaml(std::string s) : kind_(Kind::Str), str_(std::move(s)) {}  // NOLINT
  Yaml(std::string_view s) : kind_(Kind::Str), str_(s) {}        // NOLINT
  Yaml(int64_t i) : kind_(Kind::Int), int_(i) {}                 // NOLINT
  Yaml(int i) : kind_(Kind::Int), int_(i) {}                     // NOLINT
  Yaml(bool b) : kind_(Kind::Bool), bool_(b) {}                  // NOLINT

  static Yaml map() { return Yaml(Kind::Map); }
  static Yaml seq() { return Yaml(Kind::Seq); }
  /// A string written as a literal block (`|`), for scripts.
  static Yaml block(std::string s) {
    Yaml y(std::move(s));
    y.block_ = true;
    return y;
  }

  Kind kind() const { return kind_; }
  bool empty() const {
    return kind_ == Kind::Null || (kind_ == Kind::Map && map_.empty()) ||
           (kind_ == Kind::Seq && seq_.empty());
  }

  /// The value under `key`, added (null) when missing; a null becomes a map.
  Yaml& operator[](std::string_view key);
  /// Puts `key: v` first in a map (a null becomes a map).
  void prepend(std::string key, Yaml v);
  /// Appends `v`; a null becomes a sequence. Returns the appended element.
  Yaml& push(Yaml v);

  const std::vector<std::pair<std::string, Yaml>>& entries() const { return map_; }
  const std::vector<Yaml>& items() const { return seq_; }
  const std::string& str() const { return str_; }

  /// The YAML text of this tree as one document.
  std::string emit() const;

 private:
  explicit Yaml(Kind k) : kind_(k) {}
  friend void emit_node(class YamlWriter& w, const Yaml& y);

  Kind kind_ = Kind::Null;
  std::string str_;
  int64_t int_ = 0;
  bool bool_ = false;
  bool block_ = false;
  std::vector<std::pair<std::string, Yaml>> map_;
  std::vector<Yaml> seq_;
};

/// True when `s` written plain would be read back as something else than this string.
bool yaml_needs_quotes(std::string_view s);

}  // namespace flyte::k8s
