// The plan-cache pass.
#include "passes/PlanCache.h"

#define XXH_INLINE_ALL  // for XXH3_state_t on the stack
#include <fmt/format.h>
#include <xxhash.h>

#include <fstream>
#include <iterator>

namespace flyte::passes {
namespace {

class Fingerprint {
 public:
  Fingerprint() { XXH3_128bits_reset(&state_); }
  /// Adds a field with its length, so that ("ab", "c") and ("a", "bc") differ.
  void add(std::string_view s) {
    uint64_t n = s.size();
    XXH3_128bits_update(&state_, &n, sizeof n);
    XXH3_128bits_update(&state_, s.data(), s.size());
  }
  std::string hex() {
    XXH128_hash_t h = XXH3_128bits_digest(&state_);
    return fmt::format("{:016x}{:016x}", h.high64, h.low64);
  }

 private:
  XXH3_state_t state_;
};

/// The directory of the `.flyte` file a `file:line:col` location names.
std::string source_dir(const std::string& location) {
  std::string file = location.substr(0, location.find(':'));
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

class PlanCache final : public Pass {
 public:
  std::string_view name() const override { return "plan-cache"; }
  std::string_view summary() const override {
    return "fingerprints every task and marks the ones the runtime may memoize";
  }

  void run(ir::Module& m, std::vector<PassDiagnostic>&) override {
    for (ir::Task& t : m.tasks) {
      t.fingerprint = fingerprint(m, t);
      count("tasks", "tasks fingerprinted");
      if (t.cache) count("cacheable", "tasks whose results are memoized (@cache)");
    }
  }

 private:
  static std::string fingerprint(const ir::Module& m, const ir::Task& t) {
    Fingerprint f;
    f.add("flytec-task-v1");
    f.add(t.name);
    for (const ir::Param& p : t.inputs) {
      f.add(p.name);
      f.add(m.types.str(p.type));
    }
    f.add("->");
    for (const ir::Output& o : t.outputs) {
      f.add(o.name);
      f.add(m.types.str(o.type));
    }
    f.add(std::to_string(static_cast<int>(t.runner.kind)));
    f.add(t.runner.text);
    f.add(t.runner.symbol);
    if (t.runner.kind == ir::Runner::Kind::Cpp) {
      // The function's source, not just its name: editing it must miss the cache.
      std::ifstream in(source_dir(t.location) + "/" + t.runner.text, std::ios::binary);
      f.add(std::string(std::istreambuf_iterator<char>(in), {}));
    }
    f.add(t.image);
    for (const auto& [k, v] : t.env) {
      f.add(k);
      f.add(v);
    }
    for (const std::string& s : t.secrets) f.add(s);
    f.add(t.cache_version);
    return f.hex();
  }
};

}  // namespace

std::unique_ptr<Pass> create_plan_cache() { return std::make_unique<PlanCache>(); }

}  // namespace flyte::passes
