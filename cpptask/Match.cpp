// Matching C++ signatures against task interfaces.
#include "cpptask/Match.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace flyte::cpptask {
namespace {

using Kind = CppType::Kind;

// The canonical spellings Clang gives each tensor element type.
std::vector<std::string> element_spellings(const std::string& dtype) {
  if (dtype == "f32") return {"float"};
  if (dtype == "f64") return {"double"};
  if (dtype == "i64") return {"long", "long long"};
  if (dtype == "i32") return {"int"};
  if (dtype == "i8") return {"signed char"};
  if (dtype == "u8") return {"unsigned char"};
  if (dtype == "bool") return {"bool"};
  return {};
}

// Why `c` cannot hold a value of task type `t`, or nullopt when it can.
std::optional<std::string> type_problem(const TypeTable& types, TypeId t, const CppType& c) {
  const TypeData& d = types.get(t);
  auto expect = [&](Kind k) -> std::optional<std::string> {
    if (c.kind == k) return std::nullopt;
    return fmt::format("'{}' needs '{}', found '{}'", types.str(t), expected_cpp(types, t),
                       c.written);
  };
  switch (d.kind) {
    case TypeKind::Error:
    case TypeKind::Never:
    case TypeKind::None: return std::nullopt;
    case TypeKind::Int:
    case TypeKind::Size: return expect(Kind::Int64);
    case TypeKind::Float:
    case TypeKind::Duration: return expect(Kind::Double);
    case TypeKind::Bool: return expect(Kind::Bool);
    case TypeKind::String:
    case TypeKind::Enum: return expect(Kind::String);
    case TypeKind::File:
    case TypeKind::Dir: return expect(Kind::Path);
    case TypeKind::Tensor: {
      if (auto p = expect(Kind::Tensor)) return p;
      if (d.tensor.dtype_is_var) return std::nullopt;
      std::vector<std::string> ok = element_spellings(d.tensor.dtype);
      if (ok.empty()) {
        return fmt::format("'{}' has no C++ element type; use f32, f64, i64, i32, i8, u8 or bool",
                           types.str(t));
      }
      if (std::find(ok.begin(), ok.end(), c.elem) != ok.end()) return std::nullopt;
      return fmt::format("'{}' needs '{}', found '{}'", types.str(t), expected_cpp(types, t),
                         c.written);
    }
    case TypeKind::List:
    case TypeKind::Optional: {
      if (auto p = expect(d.kind == TypeKind::List ? Kind::Vector : Kind::Optional)) return p;
      if (auto p = type_problem(types, d.elem, c.args.at(0))) {
        return fmt::format("'{}' needs '{}', found '{}': {}", types.str(t), expected_cpp(types, t),
                           c.written, *p);
      }
      return std::nullopt;
    }
    case TypeKind::Map: {
      if (auto p = expect(Kind::Map)) return p;
      std::optional<std::string> p;
      if (c.args.at(0).kind != Kind::String) {
        p = fmt::format("map keys need 'std::string', found '{}'", c.args[0].written);
      } else {
        p = type_problem(types, d.elem, c.args.at(1));
      }
      if (!p) return std::nullopt;
      return fmt::format("'{}' needs '{}', found '{}': {}", types.str(t), expected_cpp(types, t),
                         c.written, *p);
    }
    case TypeKind::Struct:
    case TypeKind::Outputs: {
      if (c.kind != Kind::Struct) {
        return fmt::format(
            "'{}' needs a struct with fields {}, found '{}'", types.str(t),
            [&] {
              std::string s;
              for (const FieldType& f : d.fields) s += (s.empty() ? "'" : ", '") + f.name + "'";
              return s;
            }(),
            c.written);
      }
      if (c.fields.size() != d.fields.size()) {
        return fmt::format("'{}' has {} fields, but '{}' has {}", types.str(t), d.fields.size(),
                           c.written, c.fields.size());
      }
      for (const FieldType& f : d.fields) {
        auto it = std::find(c.fields.begin(), c.fields.end(), f.name);
        if (it == c.fields.end())
          return fmt::format("'{}' has no field '{}' of '{}'", c.written, f.name, types.str(t));
        const CppType& ft = c.args.at(static_cast<size_t>(it - c.fields.begin()));
        if (auto p = type_problem(types, f.type, ft))
          return fmt::format("field '{}': {}", f.name, *p);
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string passing_problem(const CppParam& p) {
  if (p.passing == Passing::Value || p.passing == Passing::ConstRef) return "";
  return fmt::format("is '{}': take it by value or by const&", p.type.written);
}

}  // namespace

std::string tensor_element(const std::string& dtype) {
  if (dtype == "i64") return "int64_t";
  if (dtype == "i32") return "int32_t";
  if (dtype == "i8") return "int8_t";
  if (dtype == "u8") return "uint8_t";
  std::vector<std::string> s = element_spellings(dtype);
  return s.empty() ? "?" : s.front();
}

std::string expected_cpp(const TypeTable& types, TypeId t) {
  const TypeData& d = types.get(t);
  switch (d.kind) {
    case TypeKind::Int:
    case TypeKind::Size: return "int64_t";
    case TypeKind::Float:
    case TypeKind::Duration: return "double";
    case TypeKind::Bool: return "bool";
    case TypeKind::String:
    case TypeKind::Enum: return "std::string";
    case TypeKind::File:
    case TypeKind::Dir: return "flyte::Path";
    case TypeKind::Tensor:
      return fmt::format("flyte::Tensor<{}>",
                         d.tensor.dtype_is_var ? "T" : tensor_element(d.tensor.dtype));
    case TypeKind::List: return fmt::format("std::vector<{}>", expected_cpp(types, d.elem));
    case TypeKind::Optional: return fmt::format("std::optional<{}>", expected_cpp(types, d.elem));
    case TypeKind::Map:
      return fmt::format("std::map<std::string, {}>", expected_cpp(types, d.elem));
    case TypeKind::Struct: return fmt::format("a struct like '{}'", d.name);
    default: return types.str(t);
  }
}

bool takes_context(const CppFunction& f) {
  return !f.params.empty() && f.params.back().type.kind == Kind::Context &&
         f.params.back().passing == Passing::Ref;
}

std::vector<std::string> mismatches(const TypeTable& types, const TaskInterface& task,
                                    const CppFunction& f) {
  std::vector<std::string> out;
  if (f.is_template) out.push_back("it is a function template; a task needs a plain function");
  size_t n = f.params.size() - (takes_context(f) ? 1 : 0);
  if (n != task.inputs.size()) {
    out.push_back(fmt::format("it takes {} parameter{}{}, but the task has {} input{}", n,
                              n == 1 ? "" : "s", takes_context(f) ? " besides flyte::Context&" : "",
                              task.inputs.size(), task.inputs.size() == 1 ? "" : "s"));
  }
  for (size_t i = 0; i < std::min(n, task.inputs.size()); ++i) {
    const CppParam& p = f.params[i];
    const FieldType& in = task.inputs[i];
    std::string what = fmt::format("parameter {} '{}' (input '{}: {}')", i + 1, p.name, in.name,
                                   types.str(in.type));
    if (p.type.kind == Kind::Context) {
      out.push_back(what + ": flyte::Context& may only be the last parameter");
      continue;
    }
    if (std::string why = passing_problem(p); !why.empty()) {
      out.push_back(fmt::format("{} {}", what, why));
      continue;
    }
    if (auto why = type_problem(types, in.type, p.type)) out.push_back(what + ": " + *why);
  }
  // The result: nothing, one output, or several as a struct (by field name) or a tuple.
  const CppType& r = f.result;
  if (task.outputs.empty()) {
    if (r.kind != Kind::Void)
      out.push_back(
          fmt::format("the result is '{}', but the task has no outputs: return void", r.written));
  } else if (task.outputs.size() == 1) {
    if (auto why = type_problem(types, task.outputs[0].type, r))
      out.push_back("the result: " + *why);
  } else if (r.kind == Kind::Tuple) {
    if (r.args.size() != task.outputs.size()) {
      out.push_back(fmt::format("the result is a tuple of {}, but the task has {} outputs",
                                r.args.size(), task.outputs.size()));
    } else {
      for (size_t i = 0; i < r.args.size(); ++i) {
        if (auto why = type_problem(types, task.outputs[i].type, r.args[i]))
          out.push_back(fmt::format("the result's element {} (output '{}'): {}", i,
                                    task.outputs[i].name, *why));
      }
    }
  } else if (r.kind == Kind::Struct) {
    if (r.fields.size() != task.outputs.size()) {
      out.push_back(fmt::format("the result '{}' has {} fields, but the task has {} outputs",
                                r.written, r.fields.size(), task.outputs.size()));
    }
    for (const FieldType& o : task.outputs) {
      auto it = std::find(r.fields.begin(), r.fields.end(), o.name);
      if (it == r.fields.end()) {
        out.push_back(fmt::format("the result '{}' has no field '{}' for output '{}'", r.written,
                                  o.name, o.name));
        continue;
      }
      if (auto why =
              type_problem(types, o.type, r.args.at(static_cast<size_t>(it - r.fields.begin()))))
        out.push_back(fmt::format("the result's field '{}': {}", o.name, *why));
    }
  } else {
    out.push_back(fmt::format(
        "the result is '{}', but the task has {} outputs: return a struct with fields named "
        "after them or a std::tuple",
        r.written, task.outputs.size()));
  }
  return out;
}

}  // namespace flyte::cpptask
