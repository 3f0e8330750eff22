// The process's in-memory tensors by .npy path, and .npy files mapped into memory.
#include "backends/local/runtime/TensorRef.h"

#include <sys/stat.h>

#include <cstdlib>

#include "backends/local/runtime/tensor/NpyIO.h"

namespace flyte::rt {
namespace {

/// The file's size and modification time, or nullopt when it is not there.
std::optional<std::pair<int64_t, int64_t>> stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(static_cast<int64_t>(st.st_size),
                        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

}  // namespace

TensorCache& TensorCache::process() {
  static TensorCache cache([] {
    const char* mb = std::getenv("FLYTE_TENSOR_CACHE_MB");
    size_t n = mb != nullptr ? std::strtoull(mb, nullptr, 10) : 2048;
    return n << 20;
  }());
  return cache;
}

void TensorCache::drop(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.t.bytes();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

void TensorCache::put(const std::string& path, tensor::Tensor t) {
  std::optional<std::pair<int64_t, int64_t>> st = stamp(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = entries_.find(path); it != entries_.end()) drop(it);
  if (!st || t.bytes() > budget_) return;
  while (bytes_ + t.bytes() > budget_ && !lru_.empty()) drop(entries_.find(lru_.back()));
  lru_.push_front(path);
  bytes_ += t.bytes();
  entries_.emplace(path, Entry{std::move(t), st->first, st->second, lru_.begin()});
}

std::optional<tensor::Tensor> TensorCache::get(const std::string& path) {
  std::optional<std::pair<int64_t, int64_t>> st = stamp(path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(path);
  if (it == entries_.end()) return std::nullopt;
  if (!st || st->first != it->second.size || st->second != it->second.mtime_ns) {
    drop(it);  // rewritten or removed since: the file is the truth
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.t;
}

void TensorCache::release(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = entries_.find(path); it != entries_.end()) drop(it);
}

size_t TensorCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

size_t TensorCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void release_tensors(const Value& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0) TensorCache::process().release(s);
  } else if (v.is_structured()) {
    for (const Value& x : v) release_tensors(x);
  }
}

std::optional<tensor::Tensor> load_tensor(const std::string& path, std::string& error) {
  if (std::optional<tensor::Tensor> t = TensorCache::process().get(path)) return t;
  try {
    return tensor::read_npy_tensor(path, "load");
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace flyte::rt
