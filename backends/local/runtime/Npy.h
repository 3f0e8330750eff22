// NumPy .npy files (format versions 1.0, 2.0 and 3.0): reading the header to check a
// tensor a task wrote against its declared dtype and shape, and writing one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flyte::rt {

struct NpyHeader {
  std::string dtype;           // flytec's name: f16 bf16 f32 f64 i8 i32 i64 u8 bool
  std::vector<int64_t> shape;  // C order only
  size_t data_offset = 0;
};

/// Reads the header of the .npy file at `path`. nullopt with `error` set for a file that
/// is not a little-endian (or byte-order-free), C-ordered .npy of one of the nine dtypes,
/// or whose size does not match its header.
std::optional<NpyHeader> read_npy_header(const std::string& path, std::string& error);

/// One declared dimension: a literal size, a variable or `?` (any).
struct NpyDim {
  enum class Kind { Literal, Var, Any } kind = Kind::Any;
  int64_t value = 0;
  std::string var;
};

/// Checks `h` against a declared dtype and shape. `dims` is null for any rank. Variables
/// already in `bindings` must agree; new ones are added. False with a message naming the
/// dimension, what was declared and what was found, such as
/// "dimension 1 (D) is 3, but D is 4 from an earlier tensor".
bool check_npy(const NpyHeader& h, const std::string& dtype, const std::vector<NpyDim>* dims,
               std::map<std::string, int64_t>& bindings, std::string& error);

/// Writes `bytes` bytes at `data` as a version 1.0 .npy file of `dtype` (flytec's name)
/// and `shape`, C order, data 64-byte aligned. `bytes` must equal the product of `shape`
/// times the item size. Atomic: written to a temporary file beside `path`, synced, then
/// renamed over it. False with `error` set on failure.
bool write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t bytes, std::string& error);

}  // namespace flyte::rt
