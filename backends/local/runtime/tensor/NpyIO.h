// Reading and writing tensors as NumPy .npy files (tensor.load_npy, tensor.save_npy,
// checkpoints).
#pragma once

#include <string>
#include <string_view>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::tensor {

/// The tensor in the .npy file at `path`, over a read-only memory mapping of the file
/// (copied only when the data is not aligned to its item size). A KernelError prefixed
/// with `kernel` and the path for a missing, truncated, Fortran-ordered or otherwise
/// unreadable file.
Tensor read_npy_tensor(const std::string& path, std::string_view kernel);

/// Writes `t` to `path` atomically (temporary file, fsync, rename); KernelError on failure.
void write_npy_tensor(const std::string& path, const Tensor& t, std::string_view kernel);

}  // namespace flyte::rt::tensor
