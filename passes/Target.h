// The target description passes plan for: how many CPUs, how much memory and how many
// GPUs the machine that runs the workflow has. For now only the local machine is probed;
// target profiles (DESIGN.md, "Target profiles") will fill the same struct.
#pragma once

#include <cstdint>
#include <string>

namespace flyte::passes {

/// One machine a workflow runs on, such as `{cpus: 16, memory_bytes: 64 GiB, gpus: 1}`.
struct TargetDescription {
  std::string name = "local";
  uint32_t cpus = 1;
  uint64_t memory_bytes = 0;
  uint32_t gpus = 0;
};

/// This machine: online CPUs, physical memory, and the NVIDIA GPUs in /dev.
TargetDescription probe_local_machine();

}  // namespace flyte::passes
