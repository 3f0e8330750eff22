// The stage executor: residency by use counts, one write per leaving tensor, and the
// manifest that makes the stage the unit of resume.
#include "backends/local/runtime/gpu/Stage.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "backends/local/runtime/Npy.h"
#include "support/Hash.h"

namespace flyte::rt::gpu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tensor::KernelValue;
using tensor::Tensor;

constexpr int kManifestFormat = 1;

// What the stage ran on: its nodes, kernels and outside arguments (tensors by content),
// so that a manifest left by a run on other inputs does not count.
std::string fingerprint(const Stage& stage) {
  Hasher h;
  h.add(fmt::format("stage {}", stage.number));
  for (const StageNode& n : stage.nodes) {
    h.add(n.key);
    h.add(n.kernel);
    for (const StageArg& a : n.args) {
      if (a.node >= 0) {
        h.add(fmt::format("node {} {}", a.node, a.output));
        continue;
      }
      h.add(fmt::format("value {}", a.value.index()));
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Tensor>) {
              h.add(fmt::format("{} {}", tensor::dtype_name(v.dtype()), fmt::join(v.shape(), "x")));
              h.add_raw(std::string_view(static_cast<const char*>(v.data()), v.bytes()));
            } else if constexpr (std::is_same_v<T, std::vector<Tensor>>) {
              for (const Tensor& t : v) {
                h.add(
                    fmt::format("{} {}", tensor::dtype_name(t.dtype()), fmt::join(t.shape(), "x")));
                h.add_raw(std::string_view(static_cast<const char*>(t.data()), t.bytes()));
              }
            } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
              h.add(fmt::format("{}", fmt::join(v, ",")));
            } else if constexpr (std::is_same_v<T, std::monostate>) {
              h.add("none");
            } else if constexpr (std::is_same_v<T, double>) {
              h.add(fmt::format("{:a}", v));
            } else {
              h.add(fmt::format("{}", v));
            }
          },
          a.value);
    }
  }
  return h.hex();
}

std::string file_part(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == ' ' || c == '%') c = '_';
  }
  return s;
}

json to_json(const KernelValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) return {{"int", x}};
        if constexpr (std::is_same_v<T, double>) return {{"float", x}};
        if constexpr (std::is_same_v<T, bool>) return {{"bool", x}};
        if constexpr (std::is_same_v<T, std::string>) return {{"string", x}};
        if constexpr (std::is_same_v<T, std::vector<int64_t>>) return {{"ints", x}};
        return {{"none", true}};
      },
      v);
}

std::optional<KernelValue> from_json(const json& j) {
  if (!j.is_object() || j.size() != 1) return std::nullopt;
  // Not `*j.items().begin()`: its key would refer to a temporary iterator.
  const auto first = j.begin();
  const std::string& k = first.key();
  const json& v = first.value();
  if (k == "int" && v.is_number_integer()) return KernelValue{v.get<int64_t>()};
  if (k == "float" && v.is_number()) return KernelValue{v.get<double>()};
  if (k == "bool" && v.is_boolean()) return KernelValue{v.get<bool>()};
  if ((k == "string" || k == "npy") && v.is_string()) return KernelValue{v.get<std::string>()};
  if (k == "ints" && v.is_array()) return KernelValue{v.get<std::vector<int64_t>>()};
  if (k == "none") return KernelValue{};
  return std::nullopt;
}

// The outputs recorded by a finished run of this stage in `dir`, or nullopt.
std::optional<StageOutputs> finished(const Stage& stage, const std::string& dir,
                                     const std::string& print) {
  std::ifstream in(dir + "/stage.json");
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || j.value("format", 0) != kManifestFormat ||
      j.value("fingerprint", "") != print || !j.contains("nodes") ||
      j["nodes"].size() != stage.nodes.size())
    return std::nullopt;
  StageOutputs out;
  out.resumed = true;
  for (size_t i = 0; i < stage.nodes.size(); ++i) {
    const json& outs = j["nodes"][i];
    if (!outs.is_array() || outs.size() != stage.nodes[i].outputs.size()) return std::nullopt;
    auto& row = out.values.emplace_back();
    for (const json& o : outs) {
      if (o.is_null()) {
        row.emplace_back();
        continue;
      }
      std::optional<KernelValue> v = from_json(o);
      std::error_code ec;
      if (!v || (o.contains("npy") && !fs::exists(o["npy"].get<std::string>(), ec)))
        return std::nullopt;
      row.push_back(std::move(*v));
    }
  }
  return out;
}

void write_manifest(const std::string& dir, const std::string& print, const json& nodes) {
  json j = {{"format", kManifestFormat}, {"fingerprint", print}, {"nodes", nodes}};
  std::string tmp = dir + "/stage.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
    out.flush();
    if (!out) throw StageError("cannot write " + tmp, "");
  }
  std::error_code ec;
  fs::rename(tmp, dir + "/stage.json", ec);
  if (ec) throw StageError("cannot write " + dir + "/stage.json: " + ec.message(), "");
}

}  // namespace

StageOutputs run_stage(const Stage& stage, Device& device, const std::string& dir,
                       tensor::KernelContext& ctx) {
  const std::string print = fingerprint(stage);
  if (auto done = finished(stage, dir, print)) return std::move(*done);
  std::error_code ec;
  fs::remove_all(dir, ec);  // whatever a stopped run left: the stage runs again whole
  fs::create_directories(dir, ec);
  if (ec) throw StageError(fmt::format("cannot create '{}': {}", dir, ec.message()), "");

  const size_t count = stage.nodes.size();
  auto where = [&](size_t i) {
    return fmt::format("stage {}: {} ({})", stage.number, stage.nodes[i].key,
                       stage.nodes[i].kernel);
  };
  // How many nodes of the stage still need each output, and each outside tensor.
  std::vector<std::vector<int>> uses(count);
  std::map<const void*, int> outside_uses;
  for (size_t i = 0; i < count; ++i) {
    uses[i].assign(stage.nodes[i].outputs.size(), 0);
    for (const StageArg& a : stage.nodes[i].args) {
      if (a.node >= 0) {
        if (static_cast<size_t>(a.node) >= i ||
            a.output >= stage.nodes[static_cast<size_t>(a.node)].outputs.size())
          throw StageError(where(i) + ": an argument refers to no earlier node's output",
                           stage.nodes[i].key);
        ++uses[static_cast<size_t>(a.node)][a.output];
      } else if (const auto* t = std::get_if<Tensor>(&a.value); t != nullptr && t->data()) {
        ++outside_uses[t->data()];
      }
    }
  }
  auto leaves = [&](size_t i, size_t o) {
    return o < stage.nodes[i].leaves.size() && stage.nodes[i].leaves[o];
  };

  std::vector<std::vector<KernelValue>> resident(count);
  std::map<const void*, Tensor> uploaded;
  StageOutputs out;
  out.values.resize(count);
  json manifest = json::array();
  for (size_t i = 0; i < count; ++i) {
    const StageNode& n = stage.nodes[i];
    if (ctx.cancelled()) throw StageError("cancelled", "");
    std::vector<KernelValue> args;
    for (const StageArg& a : n.args) {
      if (a.node >= 0) {
        args.push_back(resident[static_cast<size_t>(a.node)][a.output]);
      } else if (const auto* t = std::get_if<Tensor>(&a.value); t != nullptr && !t->data()) {
        args.emplace_back(device.upload(*t));  // empty: nothing to share
      } else if (t != nullptr) {
        auto [it, fresh] = uploaded.try_emplace(t->data());
        if (fresh) it->second = device.upload(*t);
        args.emplace_back(it->second);
      } else if (std::holds_alternative<std::vector<Tensor>>(a.value)) {
        throw StageError(where(i) + ": a list of tensors cannot enter a stage", n.key);
      } else {
        args.push_back(a.value);
      }
    }
    std::vector<KernelValue> results;
    try {
      results = device.run(n.kernel, args, ctx);
    } catch (const std::exception& e) {
      throw StageError(where(i) + ": " + e.what(), n.key);
    }
    args.clear();
    // A test hook (docs/runtime.md): die mid-stage, as kill -9 would.
    if (const char* crash = std::getenv("FLYTE_TEST_CRASH_IN_STAGE");
        crash != nullptr && n.key == crash)
      std::raise(SIGKILL);
    if (results.size() != n.outputs.size())
      throw StageError(fmt::format("{}: the kernel returned {} values for {} outputs", where(i),
                                   results.size(), n.outputs.size()),
                       n.key);
    // Release what no later node of the stage needs.
    for (const StageArg& a : n.args) {
      if (a.node >= 0) {
        auto p = static_cast<size_t>(a.node);
        if (--uses[p][a.output] == 0) resident[p][a.output] = KernelValue{};
      } else if (const auto* t = std::get_if<Tensor>(&a.value); t != nullptr && t->data()) {
        if (--outside_uses[t->data()] == 0) uploaded.erase(t->data());
      }
    }
    json outs = json::array();
    out.values[i].resize(n.outputs.size());
    for (size_t o = 0; o < results.size(); ++o) {
      KernelValue& v = results[o];
      if (!leaves(i, o)) {
        outs.push_back(nullptr);
        continue;
      }
      if (const auto* t = std::get_if<Tensor>(&v)) {
        Tensor host = device.download(*t);
        std::string path = fmt::format("{}/{}.{}.npy", dir, file_part(n.key), n.outputs[o]);
        std::string why;
        if (!write_npy(path, std::string(tensor::dtype_name(host.dtype())), host.shape(),
                       host.data(), host.bytes(), why))
          throw StageError(
              fmt::format("{}: cannot write output {}: {}", where(i), n.outputs[o], why), n.key);
        out.values[i][o] = KernelValue{path};
        outs.push_back({{"npy", path}});
      } else if (std::holds_alternative<std::vector<Tensor>>(v)) {
        throw StageError(where(i) + ": a list of tensors cannot leave a stage", n.key);
      } else {
        out.values[i][o] = v;
        outs.push_back(to_json(v));
      }
    }
    manifest.push_back(std::move(outs));
    for (size_t o = 0; o < results.size(); ++o) {
      if (uses[i][o] == 0) results[o] = KernelValue{};  // needed by no later node
    }
    resident[i] = std::move(results);
  }
  write_manifest(dir, print, manifest);
  return out;
}

}  // namespace flyte::rt::gpu
