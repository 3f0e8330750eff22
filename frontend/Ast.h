// The abstract syntax tree: plain structs with source ranges, allocated in an arena.
// Nothing here depends on ANTLR; `AstBuilder.cpp` translates the parse tree into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/Arena.h"
#include "ir/Types.h"
#include "ir/diag/SourceManager.h"

namespace flyte::ast {

/// A fixed sequence that lives in the file's arena, such as the names of a `let`: read
/// like a `const std::vector<T>`, but 16 bytes, with no allocation of its own and no
/// destructor.
template <class T>
class Span {
 public:
  Span() = default;
  Span(const T* data, size_t size) : data_(data), size_(static_cast<uint32_t>(size)) {}
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T& front() const { return data_[0]; }
  const T& back() const { return data_[size_ - 1]; }

 private:
  const T* data_ = nullptr;
  uint32_t size_ = 0;
};

/// A name as written, such as `softmax_regression`; the view points into the source.
struct Ident {
  std::string_view name;
  SourceRange range;
};

/// A dotted name, such as `std.ml` or `tensor.matmul`.
struct QualName {
  Span<Ident> parts;
  SourceRange range;
  std::string str() const;
};

// ----------------------------------------------------------------------------- types

/// One dimension of a shape: `785`, `N` or `?`.
struct Dim {
  enum class Kind : uint8_t { Literal, Var, Unknown } kind;
  int64_t value = 0;      // for Literal
  std::string_view name;  // for Var
  SourceRange range;
};

struct TypeExpr;

/// A type argument: a type (`f32`, `string`, `S`) or a shape (`[N, D]`).
struct TypeArg {
  TypeExpr* type = nullptr;  // null for a shape
  std::vector<Dim> shape;
  SourceRange range;
};

/// A type as written, such as `Tensor<f32, [N, D]>?` or `List<int>`.
struct TypeExpr {
  QualName name;
  std::vector<TypeArg> args;
  bool has_args = false;
  bool optional = false;
  SourceRange range;
};

// ----------------------------------------------------------------------------- slots

/// Name resolution, recorded by the checker so that lowering needs no scopes of its own:
/// every binding of a workflow has a slot, a dense index from 0 to
/// `WorkflowDecl::slot_count`. Parameter i has slot i; then each `let` name and `for`
/// variable has the next one, in the order the checker binds them (the names of a
/// `let (a, b) = …` are consecutive from `Stmt::first_slot`). A `NameExpr` holds the slot
/// of the binding it resolved to. The fields are `mutable`: the checker writes them into
/// an AST that is otherwise read-only once built.
inline constexpr uint32_t kNoSlot = UINT32_MAX;

// ----------------------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
  Int,
  Float,
  Bool,
  None,
  String,
  Duration,
  Size,  // literals
  Name,
  Field,
  Call,
  Unary,
  Binary,
  Tuple,
  List,
  Map,
  Struct,
  If,
  For,
  Fail,
  Error,  // stands in for an expression that did not parse; never reported twice
};

/// An expression. `type` is what the checker found it to be; it is written once the
/// AST is built (hence `mutable`) and read through `Semantics::type_of`. A default
/// `TypeId` is the Error type: an expression never checked reads as poisoned. The field
/// costs nothing in most nodes: it fills what was padding before the next member.
struct Expr {
  ExprKind kind;
  SourceRange range;
  mutable TypeId type;
};

struct IntLit : Expr {
  int64_t value;
};
struct FloatLit : Expr {
  double value;
};
struct BoolLit : Expr {
  bool value;
};
struct NoneLit : Expr {};
struct StringLit : Expr {
  std::string value;
  bool raw;
  /// The literal was reported as malformed (E0002); `value` is empty.
  bool malformed = false;
};
struct DurationLit : Expr {
  double seconds;
};
struct SizeLit : Expr {
  int64_t bytes;
};
struct NameExpr : Expr {
  /// The slot of the binding this name resolved to; kNoSlot for an unknown name (and
  /// before checking). Placed here, it fills padding before `name`.
  mutable uint32_t slot = kNoSlot;
  Ident name;
};
struct FieldExpr : Expr {
  Expr* base;
  Ident field;
};

/// A call argument, positional (`x`) or named (`lr = 0.5`).
struct Arg {
  std::optional<Ident> name;
  Expr* value;
  SourceRange range;
};

struct Decl;

/// A task or workflow call, such as `tensor.matmul(a, b = w)`.
struct CallExpr : Expr {
  QualName callee;
  Span<Arg> args;
  /// The task or workflow the checker resolved `callee` to; null when it was not one.
  mutable const Decl* resolved = nullptr;
};

enum class UnaryOp : uint8_t { Neg, Not };
struct UnaryExpr : Expr {
  UnaryOp op;
  Expr* operand;
};

enum class BinaryOp : uint8_t { Mul, Div, Add, Sub, Eq, Ne, Lt, Le, Gt, Ge, And, Or };
std::string_view binary_op_spelling(BinaryOp op);
struct BinaryExpr : Expr {
  BinaryOp op;
  Expr* lhs;
  Expr* rhs;
  SourceRange op_range;
};

/// `name = value` in a named tuple or a struct value.
struct FieldInit {
  Ident name;
  Expr* value;
};
struct TupleExpr : Expr {
  Span<FieldInit> fields;
};
struct ListExpr : Expr {
  Span<Expr*> elements;
};
struct MapEntry {
  StringLit* key;
  Expr* value;
};
struct MapExpr : Expr {
  Span<MapEntry> entries;
};
struct StructExpr : Expr {
  QualName type;
  Span<FieldInit> fields;
};

struct Stmt;
/// `{ let …; value }`: the arm of an `if` or the body of a `for`.
struct Block {
  Span<Stmt*> lets;
  Expr* value;
  SourceRange range;
};
struct IfArm {
  Expr* cond;
  Block* body;
};
struct IfExpr : Expr {
  Span<IfArm> arms;  // `if` and each `else if`
  Block* else_body;
};
struct ForExpr : Expr {
  /// The slot of `var`, set by the checker.
  mutable uint32_t var_slot = kNoSlot;
  Ident var;
  Expr* iterable;
  Block* body;
};
struct FailExpr : Expr {
  Expr* message;
};
struct ErrorExpr : Expr {};

// ----------------------------------------------------------------------------- statements

/// `@retries(3)`, `@resources(cpu = 2, mem = 2Gi)`.
struct Annotation {
  Ident name;
  Span<Arg> args;
  SourceRange range;
  bool has_parens = false;
};

/// The annotations of a statement, such as `@after(a)`: read like a
/// `const std::vector<Annotation>&`, and converts to one, in 8 bytes. Most statements
/// have none and share one empty list; the others' list lives in the file's arena.
class StmtAnnotations {
 public:
  StmtAnnotations() = default;
  explicit StmtAnnotations(const std::vector<Annotation>* list) : list_(list) {}
  operator const std::vector<Annotation>&() const { return list(); }
  auto begin() const { return list().begin(); }
  auto end() const { return list().end(); }
  size_t size() const { return list_ == nullptr ? 0 : list_->size(); }
  bool empty() const { return list_ == nullptr || list_->empty(); }
  const Annotation& operator[](size_t i) const { return (*list_)[i]; }

 private:
  const std::vector<Annotation>& list() const {
    static const std::vector<Annotation> kNone;
    return list_ == nullptr ? kNone : *list_;
  }
  const std::vector<Annotation>* list_ = nullptr;
};

/// `let x = …`, `let (a, b) = …` or `return …`: 56 bytes, with no destructor, as a large
/// workflow has a hundred thousand.
struct Stmt {
  enum class Kind : uint8_t { Let, Return } kind;
  bool destructure = false;
  /// The slot of `names[0]`; `names[i]` has `first_slot + i`. Set by the checker.
  mutable uint32_t first_slot = kNoSlot;
  StmtAnnotations annotations;
  Span<Ident> names;
  Expr* value;
  SourceRange range;
};

// ----------------------------------------------------------------------------- declarations

/// A parameter such as `holdout: float = 0.2`.
struct Param {
  Ident name;
  TypeExpr* type;
  Expr* default_value = nullptr;
  SourceRange range;
};

/// A struct field or a named output, such as `train: Split`.
struct Field {
  Ident name;
  TypeExpr* type;
  SourceRange range;
};

/// `-> T` or `-> (a: T, b: U)`.
struct Outputs {
  bool named = false;
  TypeExpr* single = nullptr;
  std::vector<Field> fields;
  SourceRange range;
};

enum class RunnerKind : uint8_t { Shell, Cpp, Builtin };
struct Runner {
  RunnerKind kind;
  std::vector<StringLit*> args;
  SourceRange range;
};

enum class DeclKind : uint8_t { Struct, Enum, Alias, Task, Workflow, Launch };

struct Decl {
  DeclKind kind;
  Ident name;
  std::vector<Annotation> annotations;
  std::string doc;
  SourceRange range;
};
struct StructDecl : Decl {
  std::vector<Field> fields;
};
struct EnumDecl : Decl {
  std::vector<Ident> members;
};
struct AliasDecl : Decl {
  TypeExpr* type;
};
struct TaskDecl : Decl {
  std::vector<Param> params;
  std::optional<Outputs> outputs;
  Runner runner;
};
struct WorkflowDecl : Decl {
  std::vector<Param> params;
  std::optional<Outputs> outputs;
  Span<Stmt*> body;
  /// How many slots the checker gave this workflow's bindings (see kNoSlot).
  mutable uint32_t slot_count = 0;
};
struct LaunchDecl : Decl {
  CallExpr* call;
};

/// `import std.tensor;`, `import a.b as c;` or `import std.ml.{x, y};`.
struct Import {
  QualName path;
  std::optional<Ident> alias;
  std::vector<Ident> names;
  bool selective = false;
  SourceRange range;
};

/// One parsed file. Owns every node through its arena.
struct File {
  FileId file;
  std::string doc;
  std::optional<QualName> module;
  std::vector<Import> imports;
  std::vector<Decl*> decls;
  Arena arena;
};

/// True for a literal, a negative number, or a list, map or struct value of constants
/// (what a parameter default may be). An ErrorExpr counts as constant: it was reported.
bool is_constant(const Expr* e);

}  // namespace flyte::ast
