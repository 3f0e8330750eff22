// Tensors in memory between the tasks of one process. A run-time value of type Tensor
// stays the path of its .npy file (so the journal, the cache, --resume and shell tasks
// work as for any file); a builtin task that publishes a tensor also puts it here, by
// that path, so that a builtin task downstream gets the Tensor without reading the file.
// Entries hold a reference to shared storage, never a copy. The scheduler drops a node's
// tensors once every node that consumes them has finished; the least recently used are
// dropped when the cache grows past its budget; an entry is also dropped when its file
// changed. The file is still there: a later reader maps it into memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "backends/local/runtime/Value.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt {

class TensorCache {
 public:
  explicit TensorCache(size_t budget_bytes) : budget_(budget_bytes) {}

  /// The process's cache; its budget is FLYTE_TENSOR_CACHE_MB megabytes (default 2048).
  static TensorCache& process();

  /// Keeps `t` as the tensor of the .npy file at `path`, which must exist already.
  void put(const std::string& path, tensor::Tensor t);
  /// The tensor of `path`, when it is here and the file has not changed since.
  std::optional<tensor::Tensor> get(const std::string& path);
  /// Drops the entry of `path`; holders of the tensor keep it.
  void release(const std::string& path);
  /// How many tensors, and how many bytes of them, the cache holds.
  size_t size() const;
  size_t bytes() const;

 private:
  struct Entry {
    tensor::Tensor t;
    int64_t size = 0, mtime_ns = 0;  // the file's, when it was put
    std::list<std::string>::iterator lru;
  };
  void drop(std::unordered_map<std::string, Entry>::iterator it);

  mutable std::mutex mu_;
  size_t budget_;
  size_t bytes_ = 0;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

/// Drops from the process's cache every tensor that `v` (any run-time value) names.
void release_tensors(const Value& v);

/// The tensor of the .npy file at `path`: the process cache's when it has it, else the
/// file mapped into memory (tensor::read_npy_tensor). nullopt with `error` saying why.
std::optional<tensor::Tensor> load_tensor(const std::string& path, std::string& error);

}  // namespace flyte::rt
