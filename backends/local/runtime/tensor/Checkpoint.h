// Checkpoints of long-running kernels: named tensors and a step count, saved atomically
// in a directory (KernelContext::checkpoint_dir) and restored on a retry from the last
// attempt's (KernelContext::prev_checkpoint_dir).
//
// Layout: one .npy file per tensor, named `<name>.<step>.npy`, and a manifest
// `checkpoint.txt` ("flyte-checkpoint 1", "step <n>", then "tensor <name> <file>" lines).
// Each file is written to a temporary name, synced and renamed; the manifest is renamed
// last, so a crash at any point leaves either the old or the new checkpoint whole. Tensor
// files of older steps are deleted after the manifest is in place.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::tensor {

struct Checkpoint {
  int64_t step = 0;
  std::map<std::string, Tensor> tensors;
};

/// Saves `cp` in `dir` (created if missing). KernelError prefixed with `kernel` on failure.
void save_checkpoint(const std::string& dir, const Checkpoint& cp, std::string_view kernel);

/// The checkpoint in `dir`, or nullopt when `dir` is empty or holds none. A checkpoint
/// that is present but unreadable is a KernelError.
std::optional<Checkpoint> load_checkpoint(const std::string& dir, std::string_view kernel);

}  // namespace flyte::rt::tensor
