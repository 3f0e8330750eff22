// Emits the manifests' YAML tree with yaml-cpp (see Yaml.h).
#include "backends/k8s/Yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

namespace flyte::k8s {

class YamlWriter {
 public:
  YAML::Emitter out;
};

namespace {

bool is_number(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') i = 1;
  if (i == s.size()) return false;
  bool digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' && c != '_' && c != 'x' &&
               c != 'o' && !(std::isxdigit(static_cast<unsigned char>(c)) != 0)) {
      return false;
    }
  }
  return digit || s == ".inf" || s == ".nan";
}

}  // namespace

bool yaml_needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* const kWords[] = {"y",     "n",    "yes", "no",   "on",    "off", "true",
                                       "false", "null", "~",   ".inf", "-.inf", ".nan"};
  for (const char* w : kWords) {
    if (lower == w) return true;
  }
  if (std::isdigit(static_cast<unsigned char>(s[0])) != 0 || s[0] == '+' || s[0] == '-' ||
      s[0] == '.') {
    return is_number(s) || s.find(':') != std::string_view::npos;
  }
  return false;
}

Yaml& Yaml::operator[](std::string_view key) {
  if (kind_ == Kind::Null) kind_ = Kind::Map;
  for (auto& [k, v] : map_) {
    if (k == key) return v;
  }
  map_.emplace_back(std::string(key), Yaml());
  return map_.back().second;
}

void Yaml::prepend(std::string key, Yaml v) {
  if (kind_ == Kind::Null) kind_ = Kind::Map;
  map_.insert(map_.begin(), {std::move(key), std::move(v)});
}

Yaml& Yaml::push(Yaml v) {
  if (kind_ == Kind::Null) kind_ = Kind::Seq;
  seq_.push_back(std::move(v));
  return seq_.back();
}

void emit_node(YamlWriter& w, const Yaml& y) {
  switch (y.kind_) {
    case Yaml::Kind::Null: w.out << YAML::Null; break;
    case Yaml::Kind::Int: w.out << y.int_; break;
    case Yaml::Kind::Bool: w.out << (y.bool_ ? "true" : "false"); break;
    case Yaml::Kind::Str:
      if (y.block_) {
        w.out << YAML::Literal << y.str_;
      } else if (yaml_needs_quotes(y.str_)) {
        w.out << YAML::DoubleQuoted << y.str_;
      } else {
        w.out << y.str_;
      }
      break;
    case Yaml::Kind::Map:
      if (y.map_.empty()) {
        w.out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      w.out << YAML::BeginMap;
      for (const auto& [k, v] : y.map_) {
        w.out << YAML::Key << k << YAML::Value;
        emit_node(w, v);
      }
      w.out << YAML::EndMap;
      break;
    case Yaml::Kind::Seq:
      if (y.seq_.empty()) {
        w.out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      w.out << YAML::BeginSeq;
      for (const Yaml& v : y.seq_) emit_node(w, v);
      w.out << YAML::EndSeq;
      break;
  }
}

std::string Yaml::emit() const {
  YamlWriter w;
  w.out.SetIndent(2);
  w.out.SetSeqFormat(YAML::Block);
  w.out.SetMapFormat(YAML::Block);
  emit_node(w, *this);
  std::string text = w.out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace flyte::k8s
