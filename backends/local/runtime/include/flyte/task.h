// The public header of C++ tasks (`cpp("file.cpp", "ns::fn")`, DESIGN.md "C++ tasks"):
// the types a task function takes and returns besides the standard library's, namely
// flyte::Path for File and Dir, flyte::Tensor<T> for tensors, and flyte::Context, an
// optional last parameter giving the attempt number, the device, a logger, cancellation
// and checkpoints. Header-only and light, so that flytec reads task files quickly; it
// needs C++17.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flyte {

/// A `File` or `Dir`: an absolute path. Outputs may be relative to the task's working
/// directory.
class Path {
 public:
  Path() = default;
  Path(std::string path) : path_(std::move(path)) {}  // NOLINT: converts, as a string does
  Path(const char* path) : path_(path) {}             // NOLINT
  const std::string& str() const { return path_; }
  const char* c_str() const { return path_.c_str(); }
  operator const std::string&() const { return path_; }  // NOLINT
  friend bool operator==(const Path& a, const Path& b) { return a.path_ == b.path_; }

 private:
  std::string path_;
};

/// A dense row-major tensor of T: a shape and its elements. The elements may be the
/// runtime's own buffer (no copy): copies of a Tensor share them.
template <typename T>
class Tensor {
 public:
  Tensor() = default;
  /// A tensor of `shape`, zero-filled.
  explicit Tensor(std::vector<int64_t> shape) : shape_(std::move(shape)) {
    size_t n = count(shape_);
    auto owner = std::shared_ptr<T[]>(new T[n]());
    data_ = owner.get();
    owner_ = std::move(owner);
  }
  /// A tensor of `shape` over `data` (count(shape) elements), kept alive by `owner`.
  Tensor(std::vector<int64_t> shape, T* data, std::shared_ptr<void> owner)
      : shape_(std::move(shape)), data_(data), owner_(std::move(owner)) {}
  /// A tensor of `shape` holding `values` (count(shape) of them).
  Tensor(std::vector<int64_t> shape, std::vector<T> values) : shape_(std::move(shape)) {
    if (values.size() != count(shape_))
      throw std::invalid_argument("flyte::Tensor: the values do not fill the shape");
    auto owner = std::make_shared<std::vector<T>>(std::move(values));
    data_ = owner->data();
    owner_ = std::move(owner);
  }

  const std::vector<int64_t>& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t size() const { return count(shape_); }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  /// Element (i, j) of a rank-2 tensor.
  T& at(int64_t i, int64_t j) { return data_[i * shape_.at(1) + j]; }
  const T& at(int64_t i, int64_t j) const { return data_[i * shape_.at(1) + j]; }
  T* begin() { return data_; }
  T* end() { return data_ + size(); }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size(); }

  static size_t count(const std::vector<int64_t>& shape) {
    size_t n = 1;
    for (int64_t d : shape) {
      if (d < 0) throw std::invalid_argument("flyte::Tensor: a negative dimension");
      n *= static_cast<size_t>(d);
    }
    return n;
  }

 private:
  std::vector<int64_t> shape_;
  T* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

/// What the runtime tells a task about the attempt that runs it, and what a task may
/// ask of it. Implemented by the runtime; a task takes it as its last parameter
/// `flyte::Context&`.
class Context {
 public:
  virtual ~Context() = default;
  /// The attempt number, from 1 (a retry or a resumed run is a later attempt).
  virtual int attempt() const = 0;
  /// Where the task runs: "cpu", or "cuda:N" for a GPU task.
  virtual std::string device() const = 0;
  /// Appends a line to the task's log (shown when the task fails).
  virtual void log(std::string_view line) = 0;
  /// True once the run is cancelled or the attempt timed out: return soon (a thrown
  /// exception is fine too).
  virtual bool cancelled() const = 0;
  /// Saves `state` as the task's checkpoint, atomically: an attempt after this one (a
  /// retry, or the run resumed after a kill) restores it.
  virtual void save_checkpoint(std::string_view state) = 0;
  /// The state the last save_checkpoint of an earlier attempt of this node saved, or
  /// nullopt on a fresh start.
  virtual std::optional<std::string> restore_checkpoint() = 0;
  /// A directory for checkpoint files the task manages itself; it is kept as the
  /// checkpoint when the attempt ends.
  virtual Path checkpoint_dir() const = 0;
  /// The previous attempt's checkpoint directory, or nullopt.
  virtual std::optional<Path> previous_checkpoint_dir() const = 0;
};

}  // namespace flyte
