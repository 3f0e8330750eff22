// A pass over the workflow IR: a small class with a name, a one-line summary and
// statistics, registered in PassManager.cpp. Passes may rewrite the module and report
// problems through their PassContext; the pass manager runs them in the default
// pipeline's order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/Ir.h"
#include "passes/PassContext.h"

namespace flyte::passes {

/// A named counter a pass keeps, such as `validate-dag.nodes`.
struct Statistic {
  std::string name;
  std::string description;
  uint64_t value = 0;
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  /// True for a pass that only analyses the module and reports (`flytec check` runs
  /// these); false for one that changes it.
  virtual bool is_analysis() const { return false; }
  /// Runs over `m`; problems are reported through `ctx`.
  virtual void run(ir::Module& m, PassContext& ctx) = 0;

 private:
  Statistic& stat(std::string_view name, std::string_view description);

 public:
  const std::vector<Statistic>& statistics() const { return stats_; }

 protected:
  /// Adds `delta` to the statistic `name`, creating it with `description`.
  void count(std::string_view name, std::string_view description, uint64_t delta = 1);
  /// Raises the statistic `name` to `value` if it is lower.
  void record_max(std::string_view name, std::string_view description, uint64_t value);

 private:
  std::vector<Statistic> stats_;
};

}  // namespace flyte::passes
