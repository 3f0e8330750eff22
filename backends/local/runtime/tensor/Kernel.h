// The contract between the runtime and the tensor kernels of std.tensor and std.ml
// (LANGUAGE.md section 7): a Tensor is an immutable, reference-counted buffer with a
// dtype and a C-order shape; a kernel takes its arguments in parameter order and returns
// its outputs in output order. Kernels are registered by the name in `builtin("...")`.
// The runtime's builtin runner converts run-time values to KernelArgs and back, checks
// shapes against the task's declaration, and writes each tensor output once as .npy.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace flyte::rt::tensor {

/// Element types, as LANGUAGE.md spells them.
enum class DType : uint8_t { F16, BF16, F32, F64, I8, I32, I64, U8, Bool };

/// Bytes per element.
size_t dtype_size(DType t);
/// `f32`, `i64`, `bool`, ...
std::string_view dtype_name(DType t);
/// The dtype named `name` (`f32`), or nullopt.
std::optional<DType> parse_dtype(std::string_view name);

/// An immutable n-dimensional array in C order over shared storage (heap memory, a
/// memory-mapped .npy file, ...). Copying a Tensor copies a reference, never the data.
class Tensor {
 public:
  Tensor() = default;
  /// A new tensor with uninitialized, 64-byte aligned storage; fill it through
  /// mutable_data() before handing it on.
  static Tensor allocate(DType dtype, std::vector<int64_t> shape);
  /// A tensor over `data`, which `owner` keeps alive (a mapping, another tensor).
  static Tensor adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<const void> owner,
                      const void* data);

  bool valid() const { return data_ != nullptr || numel() == 0; }
  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const;
  size_t bytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  const void* data() const { return data_; }
  template <typename T>
  const T* as() const {
    return static_cast<const T*>(data_);
  }
  /// Writable storage: only for the kernel that allocated this tensor, before it returns.
  void* mutable_data() const { return const_cast<void*>(data_); }
  template <typename T>
  T* mutable_as() const {
    return static_cast<T*>(mutable_data());
  }

 private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  std::shared_ptr<const void> owner_;
  const void* data_ = nullptr;
};

/// One argument or result of a kernel. The task's types map to: int -> int64_t,
/// float -> double, bool -> bool, string and File -> std::string (a File is an absolute
/// path), List<int> -> std::vector<int64_t>, Tensor -> Tensor, List<Tensor> ->
/// std::vector<Tensor>.
using KernelValue = std::variant<std::monostate, int64_t, double, bool, std::string,
                                 std::vector<int64_t>, Tensor, std::vector<Tensor>>;

/// A kernel's failure: a one-line message for the user ("matmul: a is 3x4 but b is 5x2").
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// What a kernel may use besides its arguments.
struct KernelContext {
  int threads = 1;                            // the task's CPU request
  const std::atomic<bool>* cancel = nullptr;  // poll in long loops; throw KernelError("cancelled")
  int attempt = 1;                            // from 1
  std::string work_dir;                       // empty folder for File outputs (save_npy)
  std::string checkpoint_dir;                 // where to save a checkpoint ("" : none wanted)
  std::string prev_checkpoint_dir;            // the last attempt's checkpoint, or ""
  double checkpoint_every_s = 0;              // the task's policy; 0: kernel's own default
  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

using KernelFn = std::vector<KernelValue> (*)(std::span<const KernelValue> args,
                                              KernelContext& ctx);

struct KernelInfo {
  std::string_view name;  // as in builtin("tensor.matmul")
  KernelFn cpu = nullptr;
};

/// The kernel registered as `name`, or null.
const KernelInfo* find_kernel(std::string_view name);
/// Every registered kernel, sorted by name.
std::span<const KernelInfo> all_kernels();

}  // namespace flyte::rt::tensor
