// What flytec knows of a C++ task function once Clang has read its file: the functions
// a file defines, each parameter and result as a small type tree of the kinds the task
// mapping knows (DESIGN.md, "C++ tasks"), and where each was declared. Plain data, so that
// it can be cached as JSON and read without Clang.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flyte::cpptask {

/// A C++ type as the mapping sees it, references and cv-qualifiers removed.
struct CppType {
  enum class Kind : uint8_t {
    Int64,     // int64_t (long / long long)
    Double,    // double
    Bool,      // bool
    String,    // std::string
    Path,      // flyte::Path
    Tensor,    // flyte::Tensor<T>: `elem` is T's spelling (float, double, int64_t, ...)
    Vector,    // std::vector<T>: args = {T}
    Map,       // std::map<K, V>: args = {K, V}
    Optional,  // std::optional<T>: args = {T}
    Tuple,     // std::tuple<Ts...>: args = Ts
    Struct,    // a class with public fields: args = field types, fields = their names
    Context,   // flyte::Context
    Void,      // void (a result only)
    Other,     // anything else (int, float, pointers, ...)
  };
  Kind kind = Kind::Other;
  /// The type as C++ (fully qualified, canonical): what generated glue spells.
  std::string spelling;
  /// The type as the user wrote it, for messages (`const std::string &`).
  std::string written;
  std::string elem;  // Tensor: the element type (float, double, int64_t, int32_t, ...)
  std::vector<CppType> args;
  std::vector<std::string> fields;  // Struct: field names, in order
};

/// How a parameter is passed.
enum class Passing : uint8_t { Value, ConstRef, Ref, Other };

struct CppParam {
  std::string name;
  CppType type;
  Passing passing = Passing::Value;
};

/// One function the file declares, by its qualified name.
struct CppFunction {
  std::string name;  // qualified: `mnist::fit`
  std::string file;  // as given to Clang
  unsigned line = 0;
  unsigned column = 0;
  std::vector<CppParam> params;
  CppType result;
  /// Declared only (no body in this file): the glue cannot call what is not linked.
  bool defined = true;
  bool is_template = false;

  /// `file:LINE:COL`.
  std::string location() const;
  /// `double mnist::fit(const Split &, int64_t)`, for messages listing candidates.
  std::string signature() const;
};

/// What Clang made of a file: the first error when it does not compile, otherwise every
/// namespace-scope function it declares.
struct FileSignatures {
  std::string error;  // "fit.cpp:3:5: error: expected ';' after expression", or ""
  std::vector<CppFunction> functions;
};

/// The cache's JSON form of a file's signatures, and back; nullopt on malformed text.
std::string to_json(const FileSignatures& s);
std::optional<FileSignatures> from_json(const std::string& text);

/// The functions named `name` (a leading `::` is ignored).
std::vector<const CppFunction*> find_functions(const FileSignatures& s, std::string name);

}  // namespace flyte::cpptask
