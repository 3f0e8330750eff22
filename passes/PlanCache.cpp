// The plan-cache pass.
#include "passes/PlanCache.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <set>

#include "support/Hash.h"

namespace flyte::passes {
namespace {

/// A type as the fingerprint sees it: as written, and each struct's fields and each
/// enum's members too (`Split{x:Tensor<f32, [N, D]>,y:…}`), since a struct's name alone
/// says nothing of what a cached result was computed from. `seen` stops a struct that
/// refers to itself.
std::string signature(const TypeTable& types, TypeId t, std::set<uint32_t>& seen) {
  const TypeData& d = types.get(t);
  switch (d.kind) {
    case TypeKind::List: return "List<" + signature(types, d.elem, seen) + ">";
    case TypeKind::Map: return "Map<string, " + signature(types, d.elem, seen) + ">";
    case TypeKind::Optional: return signature(types, d.elem, seen) + "?";
    case TypeKind::Struct: {
      std::string out = "struct " + d.name;
      if (!seen.insert(t.index).second) return out;
      out += "{";
      for (const FieldType& f : d.fields)
        out += f.name + ":" + signature(types, f.type, seen) + ",";
      return out + "}";
    }
    case TypeKind::Enum: {
      std::string out = "enum " + d.name + "{";
      for (const std::string& m : d.members) out += m + ",";
      return out + "}";
    }
    case TypeKind::Outputs: {
      std::string out = "(";
      for (const FieldType& f : d.fields)
        out += f.name + ":" + signature(types, f.type, seen) + ",";
      return out + ")";
    }
    default: return types.str(t);  // scalars, files, tensors with dtype and dimensions
  }
}

std::string signature(const TypeTable& types, TypeId t) {
  std::set<uint32_t> seen;
  return signature(types, t, seen);
}

/// The directory of the `.flyte` file that declares `t`, from the module's file table.
std::string source_dir(const ir::Module& m, const ir::Task& t) {
  if (!t.location.valid() || t.location.file >= m.files.size()) return ".";
  const std::string& file = m.files[t.location.file];
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

class PlanCache final : public Pass {
 public:
  std::string_view name() const override { return "plan-cache"; }
  std::string_view summary() const override {
    return "fingerprints every task and marks the ones the runtime may memoize";
  }

  void run(ir::Module& m, PassContext&) override {
    for (ir::Task& t : m.tasks) {
      // A plan read back from its text form has no hash of a C++ file: hash it here,
      // beside the sources, as lowering does.
      auto* cpp = std::get_if<ir::Runner::Cpp>(&t.runner.body);
      if (cpp != nullptr && cpp->source_hash.empty()) {
        std::ifstream in(source_dir(m, t) + "/" + cpp->file, std::ios::binary);
        if (in) cpp->source_hash = hash_bytes(std::string(std::istreambuf_iterator<char>(in), {}));
      }
      t.fingerprint = fingerprint(m, t);
      count("tasks", "tasks fingerprinted");
      if (t.cache) count("cacheable", "tasks whose results are memoized (@cache)");
    }
  }

 private:
  static std::string fingerprint(const ir::Module& m, const ir::Task& t) {
    Hasher f;
    f.add("flytec-task-v2");
    f.add(t.name);
    for (const ir::Param& p : t.inputs) {
      f.add(p.name);
      f.add(signature(m.types, p.type));
    }
    f.add("->");
    for (const ir::Output& o : t.outputs) {
      f.add(o.name);
      f.add(signature(m.types, o.type));
    }
    // Every field of the runner; a C++ function by its file's hash too, so that
    // editing it misses the cache. A shell or builtin task hashes an empty symbol, as
    // before the runner had alternatives, so that its fingerprint (and cache) stays.
    f.add(std::to_string(static_cast<int>(t.runner.kind())));
    switch (t.runner.kind()) {
      case ir::RunnerKind::Shell:
        f.add(std::get<ir::Runner::Shell>(t.runner.body).command);
        f.add("");
        break;
      case ir::RunnerKind::Builtin:
        f.add(std::get<ir::Runner::Builtin>(t.runner.body).kernel);
        f.add("");
        break;
      case ir::RunnerKind::Cpp: {
        const auto& cpp = std::get<ir::Runner::Cpp>(t.runner.body);
        f.add(cpp.file);
        f.add(cpp.symbol);
        f.add(cpp.source_hash);
        break;
      }
    }
    f.add(t.image);
    f.add("env");
    for (const auto& [k, v] : t.env) {
      f.add(k);
      f.add(v);
    }
    f.add("secrets");
    for (const std::string& s : t.secrets) f.add(s);
    f.add(t.cache_version);
    // The inputs the key leaves out: changing the list changes what a key means.
    f.add("ignore");
    for (const std::string& i : t.cache_ignore) f.add(i);
    return f.hex();
  }
};

}  // namespace

std::unique_ptr<Pass> create_plan_cache() { return std::make_unique<PlanCache>(); }

}  // namespace flyte::passes
