// Renders constant values as input flag texts (see Inputs.h).
#include "backends/k8s/Inputs.h"

#include <nlohmann/json.hpp>

namespace flyte::k8s {
namespace {

nlohmann::json to_json(const ir::Value& v) {
  using K = ir::Value::Kind;
  switch (v.kind()) {
    case K::None: return nullptr;
    case K::Int:
    case K::Size: return v.as_int();
    case K::Float:
    case K::Duration: return v.as_float();
    case K::Bool: return v.as_bool();
    case K::String:
    case K::File:
    case K::Dir: return v.text();
    case K::Enum: return v.member();
    case K::List: {
      nlohmann::json a = nlohmann::json::array();
      for (const ir::Value& x : v.items()) a.push_back(to_json(x));
      return a;
    }
    case K::Map:
    case K::Struct: {
      nlohmann::json o = nlohmann::json::object();
      for (size_t i = 0; i < v.keys().size() && i < v.items().size(); ++i) {
        o[v.keys()[i]] = to_json(v.items()[i]);
      }
      return o;
    }
  }
  return nullptr;
}

}  // namespace

std::string flag_text(const ir::Value& v) {
  using K = ir::Value::Kind;
  switch (v.kind()) {
    case K::None: return "none";
    case K::String:
    case K::File:
    case K::Dir: return v.text();
    case K::Enum: return v.member();
    case K::Int:
    case K::Float:
    case K::Bool:
    case K::Duration:
    case K::Size: return ir::value_text(v);
    default: return to_json(v).dump();
  }
}

}  // namespace flyte::k8s
