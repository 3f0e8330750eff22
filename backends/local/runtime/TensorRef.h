// In-memory tensors held by reference inside run-time values. A Value stays a JSON
// document (so the JSON paths cost nothing more); a tensor in memory is the small object
// `{"$tensor": <id>}`, and a TensorRegistry maps the id to a shared, reference-counted
// buffer with its dtype and shape. Copying the value copies the id, never the data. A
// value of type Tensor is otherwise a path (a string), so a reference is never mistaken
// for data: code that reads a Tensor-typed value checks is_tensor_ref() first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/local/runtime/Value.h"

namespace flyte::rt {

struct TensorBuffer {
  std::string dtype;           // NumPy's descr: `<f4`, `<i8`, `|b1`
  std::vector<int64_t> shape;  // C order
  std::vector<std::byte> data;
};
using TensorPtr = std::shared_ptr<const TensorBuffer>;

/// True when `v` is a reference to an in-memory tensor: `{"$tensor": <id>}`.
bool is_tensor_ref(const Value& v);

/// The in-memory tensors of a run, by id. Thread-safe.
class TensorRegistry {
 public:
  /// A value that refers to `t`. The registry keeps `t` alive until release().
  Value put(TensorPtr t);
  /// The buffer `v` refers to; null when `v` is not a reference or was released.
  TensorPtr get(const Value& v) const;
  /// Drops the registry's reference to what `v` refers to; holders of the buffer keep it.
  void release(const Value& v);
  /// How many tensors the registry holds.
  size_t size() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, TensorPtr> tensors_;
};

}  // namespace flyte::rt
