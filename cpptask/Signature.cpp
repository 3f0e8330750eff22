// C++ task signatures: their text for messages and their JSON form for the cache.
#include "cpptask/Signature.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace flyte::cpptask {
namespace {

using json = nlohmann::json;

json type_json(const CppType& t) {
  json j = {{"k", static_cast<int>(t.kind)}, {"s", t.spelling}, {"w", t.written}};
  if (!t.elem.empty()) j["e"] = t.elem;
  if (!t.args.empty()) {
    json args = json::array();
    for (const CppType& a : t.args) args.push_back(type_json(a));
    j["a"] = std::move(args);
  }
  if (!t.fields.empty()) j["f"] = t.fields;
  return j;
}

CppType type_from(const json& j) {
  CppType t;
  int kind = j.at("k").get<int>();
  if (kind < 0 || kind > static_cast<int>(CppType::Kind::Other)) throw std::runtime_error("kind");
  t.kind = static_cast<CppType::Kind>(kind);
  t.spelling = j.at("s").get<std::string>();
  t.written = j.at("w").get<std::string>();
  if (j.contains("e")) t.elem = j["e"].get<std::string>();
  if (j.contains("a")) {
    for (const json& a : j["a"]) t.args.push_back(type_from(a));
  }
  if (j.contains("f")) t.fields = j["f"].get<std::vector<std::string>>();
  return t;
}

}  // namespace

std::string CppFunction::location() const { return fmt::format("{}:{}:{}", file, line, column); }

std::string CppFunction::signature() const {
  std::string s = fmt::format("{} {}(", result.written, name);
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) s += ", ";
    s += params[i].type.written;
  }
  return s + ")";
}

std::string to_json(const FileSignatures& s) {
  json fns = json::array();
  for (const CppFunction& f : s.functions) {
    json params = json::array();
    for (const CppParam& p : f.params) {
      params.push_back(
          {{"n", p.name}, {"t", type_json(p.type)}, {"p", static_cast<int>(p.passing)}});
    }
    fns.push_back({{"n", f.name},
                   {"file", f.file},
                   {"l", f.line},
                   {"c", f.column},
                   {"p", std::move(params)},
                   {"r", type_json(f.result)},
                   {"d", f.defined},
                   {"t", f.is_template}});
  }
  return json{{"v", 1}, {"error", s.error}, {"functions", std::move(fns)}}.dump();
}

std::optional<FileSignatures> from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    if (j.at("v").get<int>() != 1) return std::nullopt;
    FileSignatures s;
    s.error = j.at("error").get<std::string>();
    for (const json& f : j.at("functions")) {
      CppFunction fn;
      fn.name = f.at("n").get<std::string>();
      fn.file = f.at("file").get<std::string>();
      fn.line = f.at("l").get<unsigned>();
      fn.column = f.at("c").get<unsigned>();
      for (const json& p : f.at("p")) {
        int passing = p.at("p").get<int>();
        if (passing < 0 || passing > static_cast<int>(Passing::Other)) return std::nullopt;
        fn.params.push_back(
            {p.at("n").get<std::string>(), type_from(p.at("t")), static_cast<Passing>(passing)});
      }
      fn.result = type_from(f.at("r"));
      fn.defined = f.at("d").get<bool>();
      fn.is_template = f.at("t").get<bool>();
      s.functions.push_back(std::move(fn));
    }
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<const CppFunction*> find_functions(const FileSignatures& s, std::string name) {
  if (name.rfind("::", 0) == 0) name.erase(0, 2);
  std::vector<const CppFunction*> out;
  for (const CppFunction& f : s.functions) {
    if (f.name == name) out.push_back(&f);
  }
  return out;
}

}  // namespace flyte::cpptask
