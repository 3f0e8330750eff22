// The registry and the pipeline.
#include "passes/PassManager.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/PlaceDevices.h"
#include "passes/PlanCache.h"
#include "passes/ResolveAttributes.h"
#include "passes/ValidateDag.h"

namespace flyte::passes {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Pass> (*create)();
};

// The one list of passes, in the order the default pipeline runs them.
const Entry kPasses[] = {
    {"validate-dag", &create_validate_dag},
    {"plan-cache", &create_plan_cache},
    {"resolve-attributes", &create_resolve_attributes},
    {"place-devices", &create_place_devices},
};

}  // namespace

std::vector<std::pair<std::string, std::string>> registered_passes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Entry& e : kPasses) out.emplace_back(e.name, std::string(e.create()->summary()));
  return out;
}

bool is_registered(const std::string& name) {
  return std::any_of(std::begin(kPasses), std::end(kPasses),
                     [&](const Entry& e) { return name == e.name; });
}

PipelineResult run_pipeline(ir::Module& m, PassContext& ctx, std::ostream& out, std::ostream& err) {
  const PipelineOptions& options = ctx.options();
  size_t errors_before = ctx.diags().error_count();
  PipelineResult result;
  struct Timing {
    std::string name;
    double seconds;
    std::vector<Statistic> stats;
  };
  std::vector<Timing> timings;
  auto print_after = [&](const std::string& name) {
    return std::find(options.print_ir_after.begin(), options.print_ir_after.end(), name) !=
               options.print_ir_after.end() ||
           std::find(options.print_ir_after.begin(), options.print_ir_after.end(), "all") !=
               options.print_ir_after.end();
  };
  for (const Entry& e : kPasses) {
    std::unique_ptr<Pass> pass = e.create();
    if (options.analysis_only && !pass->is_analysis()) continue;
    auto start = std::chrono::steady_clock::now();
    pass->run(m, ctx);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timings.push_back({e.name, seconds, pass->statistics()});
    if (options.verify_each) {
      std::vector<std::string> problems = ir::verify_module(m);
      if (!problems.empty()) {
        err << "flytec: internal error: the IR does not verify after pass '" << e.name << "':\n";
        for (const std::string& p : problems) err << "  " << p << "\n";
        result.verify_failed = true;
        result.ok = false;
        break;
      }
    }
    if (print_after(e.name)) {
      out << "; IR after " << e.name << "\n";
      ir::print_module(m, out, ir::PrintOptions{.resolved_attributes = true});
    }
    if (options.stop_after == e.name) break;
  }
  result.ok &= ctx.diags().error_count() == errors_before && !ctx.diags().limit_reached();
  if (options.time_passes) {
    double total = 0;
    for (const Timing& t : timings) total += t.seconds;
    err << "===-------------------------------------------------------------------------===\n"
        << "                          Pass execution timing report\n"
        << "===-------------------------------------------------------------------------===\n"
        << fmt::format("  Total: {:.6f} s\n", total);
    for (const Timing& t : timings) {
      err << fmt::format("  {:>10.6f} s  {}\n", t.seconds, t.name);
      for (const Statistic& s : t.stats) {
        err << fmt::format("  {:>12}  {}.{} - {}\n", s.value, t.name, s.name, s.description);
      }
    }
  }
  return result;
}

}  // namespace flyte::passes
