// Fused execution of one GPU stage (the place-devices pass's unit, docs/placement.md):
// its nodes run one after another on one Device; a tensor that only nodes of the stage
// consume stays resident and is never copied back nor written; each tensor that leaves
// the stage is copied back once and written once as .npy; and the stage is the unit of
// resume: a manifest written last marks it finished (a finished stage is never run
// again), and a stage that stopped anywhere before (a failure, kill -9) runs again whole.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/local/runtime/gpu/Device.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt::gpu {

/// One argument of a stage's node: a value from outside the stage (a scalar, a list, a
/// host tensor, uploaded once however many nodes use it), or an output of an earlier
/// node of the stage.
struct StageArg {
  tensor::KernelValue value;  // when node < 0
  int node = -1;              // an index into Stage::nodes, before the consumer
  size_t output = 0;

  static StageArg outside(tensor::KernelValue v) { return StageArg{std::move(v), -1, 0}; }
  static StageArg from(int node, size_t output = 0) { return StageArg{{}, node, output}; }
};

struct StageNode {
  std::string key;     // as messages name it: "%3" or "train.n3"
  std::string kernel;  // "tensor.matmul"
  std::vector<StageArg> args;
  std::vector<std::string> outputs = {"o"};  // output names, in the kernel's order
  /// The outputs something outside the stage uses (another node, the workflow's result);
  /// the others stay on the device. Missing entries: false.
  std::vector<bool> leaves;
};

struct Stage {
  uint32_t number = 0;
  std::vector<StageNode> nodes;  // producers before consumers
};

/// Each output that leaves the stage ([node][output]): a tensor as the path of its .npy
/// file (a std::string), anything else as the kernel returned it; nullopt for outputs
/// that stayed inside.
struct StageOutputs {
  std::vector<std::vector<std::optional<tensor::KernelValue>>> values;
  bool resumed = false;  // a finished stage's manifest: nothing ran
};

/// A node of the stage failed: "stage 0: %3 (tensor.matmul): <the kernel's message>".
struct StageError : std::runtime_error {
  StageError(const std::string& message, std::string node_key)
      : std::runtime_error(message), node(std::move(node_key)) {}
  std::string node;  // "" when no single node is at fault
};

/// Runs `stage` on `device` with its files in `dir` (`dir`/stage.json is the manifest;
/// `<node>.<output>.npy` the tensors that leave). When `dir` holds the manifest of the
/// same stage on the same inputs, returns it with `resumed` set and runs nothing; else
/// empties `dir` and runs every node. Throws StageError; "cancelled" when ctx says so.
StageOutputs run_stage(const Stage& stage, Device& device, const std::string& dir,
                       tensor::KernelContext& ctx);

}  // namespace flyte::rt::gpu
