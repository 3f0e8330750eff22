// The type table: interning by a structural key, and printing.
#include "ir/Types.h"

#include <fmt/format.h>

#include "support/Check.h"

namespace flyte {
namespace {

std::string dims_str(const TensorSpec& t) {
  switch (t.shape) {
    case TensorSpec::Shape::AnyRank: return "";
    case TensorSpec::Shape::Var: return ", " + t.shape_var;
    case TensorSpec::Shape::Dims: break;
  }
  std::string out = ", [";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    if (i > 0) out += ", ";
    const DimSpec& d = t.dims[i];
    out += d.kind == DimSpec::Kind::Literal ? std::to_string(d.value)
           : d.kind == DimSpec::Kind::Var   ? d.var
                                            : std::string("?");
  }
  return out + "]";
}

}  // namespace

bool TypeTable::is_dtype(std::string_view n) {
  return n == "f16" || n == "bf16" || n == "f32" || n == "f64" || n == "i8" || n == "i32" ||
         n == "i64" || n == "u8" || n == "bool";
}

TypeTable::TypeTable() {
  error_ = add_simple(TypeKind::Error);
  never_ = add_simple(TypeKind::Never);
  none_ = add_simple(TypeKind::None);
  int_t_ = add_simple(TypeKind::Int);
  float_t_ = add_simple(TypeKind::Float);
  bool_t_ = add_simple(TypeKind::Bool);
  string_t_ = add_simple(TypeKind::String);
  duration_ = add_simple(TypeKind::Duration);
  size_ = add_simple(TypeKind::Size);
  file_ = add_simple(TypeKind::File);
  dir_ = add_simple(TypeKind::Dir);
}

TypeId TypeTable::add_simple(TypeKind kind) {
  return intern(TypeData{kind, {}, {}, {}, {}, {}}, fmt::format("k{}", static_cast<int>(kind)));
}

TypeId TypeTable::intern(TypeData data, const std::string& key) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second;
  TypeId id{static_cast<uint32_t>(types_.size())};
  types_.push_back(std::move(data));
  by_key_.emplace(key, id);
  return id;
}

TypeId TypeTable::list(TypeId elem) {
  return intern(TypeData{TypeKind::List, elem, {}, {}, {}, {}}, fmt::format("L{}", elem.index));
}

TypeId TypeTable::map(TypeId value) {
  return intern(TypeData{TypeKind::Map, value, {}, {}, {}, {}}, fmt::format("M{}", value.index));
}

TypeId TypeTable::optional(TypeId inner) {
  TypeKind k = kind(inner);
  if (k == TypeKind::Optional || k == TypeKind::Error || k == TypeKind::None) return inner;
  return intern(TypeData{TypeKind::Optional, inner, {}, {}, {}, {}},
                fmt::format("O{}", inner.index));
}

TypeId TypeTable::tensor(TensorSpec spec) {
  std::string key = "T" + spec.dtype + (spec.dtype_is_var ? "*" : "") + dims_str(spec);
  return intern(TypeData{TypeKind::Tensor, {}, {}, {}, std::move(spec), {}}, key);
}

TypeId TypeTable::declare(TypeKind kind, std::string name) {
  FLYTEC_CHECK(kind == TypeKind::Struct || kind == TypeKind::Enum,
               "declare of a type that is neither a struct nor an enum");
  TypeId id{static_cast<uint32_t>(types_.size())};
  types_.push_back(TypeData{kind, {}, std::move(name), {}, {}, {}});
  return id;
}

TypeId TypeTable::outputs(std::vector<FieldType> fields) {
  std::string key = "R";
  for (const FieldType& f : fields) key += fmt::format("{}:{},", f.name, f.type.index);
  return intern(TypeData{TypeKind::Outputs, {}, {}, std::move(fields), {}, {}}, key);
}

void TypeTable::define_struct(TypeId id, std::vector<FieldType> fields) {
  FLYTEC_CHECK(kind(id) == TypeKind::Struct, "define_struct on a type that is not a struct");
  types_[id.index].fields = std::move(fields);
}

void TypeTable::define_enum(TypeId id, std::vector<std::string> members) {
  FLYTEC_CHECK(kind(id) == TypeKind::Enum, "define_enum on a type that is not an enum");
  types_[id.index].members = std::move(members);
}

std::string TypeTable::str(TypeId id) const {
  const TypeData& t = get(id);
  switch (t.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Never: return "never";
    case TypeKind::None: return "none";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::Bool: return "bool";
    case TypeKind::String: return "string";
    case TypeKind::Duration: return "duration";
    case TypeKind::Size: return "size";
    case TypeKind::File: return "File";
    case TypeKind::Dir: return "Dir";
    case TypeKind::List: return "List<" + str(t.elem) + ">";
    case TypeKind::Map: return "Map<string, " + str(t.elem) + ">";
    case TypeKind::Optional: return str(t.elem) + "?";
    case TypeKind::Tensor: return "Tensor<" + t.tensor.dtype + dims_str(t.tensor) + ">";
    case TypeKind::Struct:
    case TypeKind::Enum: return t.name;
    case TypeKind::Outputs: {
      std::string out = "(";
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i > 0) out += ", ";
        out += t.fields[i].name + ": " + str(t.fields[i].type);
      }
      return out + ")";
    }
  }
  return "?";
}

}  // namespace flyte
