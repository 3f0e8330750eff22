// place-devices: chooses the CPU or the GPU for each tensor task node (a `builtin(...)`
// runner) and groups GPU nodes that feed each other into *stages*. A node's `@device`
// hint (resolved by resolve-attributes) decides first; otherwise a cost model compares
// the CPU's time with the GPU's time plus the host-device transfers, from the shapes
// known at compile time. The model and its constants: docs/placement.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "passes/Pass.h"

namespace flyte::passes {

/// The machine the cost model assumes (docs/placement.md states why these numbers).
struct DeviceModel {
  double cpu_flops = 50e9;         // FLOP/s: a few cores with AVX2 FMA through OpenBLAS
  double cpu_bytes_per_s = 20e9;   // main-memory bandwidth
  double gpu_flops = 20e12;        // FLOP/s in f32
  double gpu_bytes_per_s = 2e12;   // device-memory bandwidth
  double pcie_bytes_per_s = 25e9;  // host <-> device copies
  double gpu_launch_s = 20e-6;     // per task: kernel launches and synchronisation
};

/// What one tensor task costs: its floating-point operations, the bytes it reads and
/// writes. Unknown when a shape it needs is not known at compile time.
struct KernelCost {
  double flops = 0;
  double bytes_in = 0;
  double bytes_out = 0;
};

/// Seconds `c` takes on the CPU, and on the GPU when `inputs_on_host` of its input bytes
/// must first be copied there (its outputs are always copied back).
double cpu_seconds(const KernelCost& c, const DeviceModel& m);
double gpu_seconds(const KernelCost& c, double inputs_on_host, const DeviceModel& m);

/// True for the builtin kernels the CUDA plugin implements (`tensor.matmul`, ...).
bool has_gpu_kernel(std::string_view kernel);

/// Places the tensor task nodes of every workflow of `m` (the pass, without a pass
/// context): for `flytec graph`, which draws plans the pipeline may reject. The @device
/// hints are read from the nodes' resolved attributes.
void place_devices(ir::Module& m);

std::unique_ptr<Pass> create_place_devices();

}  // namespace flyte::passes
