// Types of the workflow IR (and of semantic analysis): interned, so that two types are
// equal exactly when their ids are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace flyte {

/// A type, such as the `List<int>` of a parameter; equal types have equal ids.
struct TypeId {
  uint32_t index = 0;
  friend bool operator==(TypeId a, TypeId b) { return a.index == b.index; }
  friend bool operator!=(TypeId a, TypeId b) { return a.index != b.index; }
};

enum class TypeKind : uint8_t {
  Error,  // the type of something already reported: compatible with everything
  Never,  // the type of `fail(...)`: converts to every type
  None,   // the type of the literal `none`: converts to every optional
  Int,
  Float,
  Bool,
  String,
  Duration,
  Size,
  File,
  Dir,
  List,
  Map,
  Optional,
  Tensor,
  Struct,
  Enum,
  Outputs,  // the named outputs of a call, such as `prepare(...)`'s (train, test)
};

/// One dimension of a tensor shape: a literal size, a variable (`N`) or `?`.
struct DimSpec {
  enum class Kind : uint8_t { Literal, Var, Unknown } kind = Kind::Unknown;
  int64_t value = 0;
  std::string var;
  friend bool operator==(const DimSpec& a, const DimSpec& b) {
    return a.kind == b.kind && a.value == b.value && a.var == b.var;
  }
};

/// `Tensor<DT, [d0, …]>`, `Tensor<DT>` (any rank) or `Tensor<DT, S>` (shape variable).
/// A dtype that is not one of the nine names is a dtype variable (`T`).
struct TensorSpec {
  std::string dtype;
  bool dtype_is_var = false;
  enum class Shape : uint8_t { Dims, AnyRank, Var } shape = Shape::AnyRank;
  std::vector<DimSpec> dims;
  std::string shape_var;
  friend bool operator==(const TensorSpec& a, const TensorSpec& b) {
    return a.dtype == b.dtype && a.dtype_is_var == b.dtype_is_var && a.shape == b.shape &&
           a.dims == b.dims && a.shape_var == b.shape_var;
  }
};

/// A named field of a struct or of a task's outputs.
struct FieldType {
  std::string name;
  TypeId type;
};

struct TypeData {
  TypeKind kind;
  TypeId elem;                       // List, Map (value), Optional
  std::string name;                  // Struct, Enum
  std::vector<FieldType> fields;     // Outputs; Struct: its declared fields, in order
  TensorSpec tensor;                 // Tensor
  std::vector<std::string> members;  // Enum: its members, in order
};

/// Owns every type of a compilation and hands out interned ids.
class TypeTable {
 public:
  TypeTable();

  TypeId error() const { return error_; }
  TypeId never() const { return never_; }
  TypeId none() const { return none_; }
  TypeId int_() const { return int_t_; }
  TypeId float_() const { return float_t_; }
  TypeId bool_() const { return bool_t_; }
  TypeId string() const { return string_t_; }
  TypeId duration() const { return duration_; }
  TypeId size() const { return size_; }
  TypeId file() const { return file_; }
  TypeId dir() const { return dir_; }

  TypeId list(TypeId elem);
  TypeId map(TypeId value);
  TypeId optional(TypeId inner);
  TypeId tensor(TensorSpec spec);
  /// A new struct or enum type named `name`: each declaration is its own type, even
  /// where two share a name (`Split` of one module and of another).
  TypeId declare(TypeKind kind, std::string name);
  TypeId outputs(std::vector<FieldType> fields);
  /// Gives a struct type its fields, such as `x: Tensor<f32, [N, D]>` of `struct Split`.
  /// Set once the declaration is resolved: a field may name a struct declared later.
  void define_struct(TypeId id, std::vector<FieldType> fields);
  /// Gives an enum type its members, such as `red, green` of `enum Color`.
  void define_enum(TypeId id, std::vector<std::string> members);

  const TypeData& get(TypeId id) const { return types_[id.index]; }
  /// How many types there are; ids run from 0 to count() - 1, each type's parts first.
  size_t count() const { return types_.size(); }
  TypeKind kind(TypeId id) const { return types_[id.index].kind; }
  /// As a user writes it: `List<Tensor<f32, [N, D]>>?`.
  std::string str(TypeId id) const;

  static bool is_dtype(std::string_view name);

 private:
  TypeId intern(TypeData data, const std::string& key);
  TypeId add_simple(TypeKind kind);

  std::vector<TypeData> types_;
  std::unordered_map<std::string, TypeId> by_key_;
  TypeId error_, never_, none_, int_t_, float_t_, bool_t_, string_t_, duration_, size_, file_, dir_;
};

}  // namespace flyte
