// Builtin task attempts: kernels run in-process on tensors kept in memory.
#include "backends/local/runtime/BuiltinRunner.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/TensorRef.h"
#include "backends/local/runtime/TensorShapes.h"
#include "backends/local/runtime/gpu/Gpu.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

using tensor::KernelValue;
using tensor::Tensor;

/// The type under an optional.
TypeId strip_optional(const TypeTable& types, TypeId t) {
  return types.kind(t) == TypeKind::Optional ? types.get(t).elem : t;
}

/// Argument `v` of parameter `p` as a kernel value. nullopt with `error` for a value or
/// type no kernel takes.
std::optional<KernelValue> to_kernel(const TypeTable& types, const ir::Param& p, const Value& v,
                                     std::string& error) {
  if (v.is_null()) return KernelValue{};
  TypeId t = strip_optional(types, p.type);
  switch (types.kind(t)) {
    case TypeKind::Int:
    case TypeKind::Size: return KernelValue{v.get<int64_t>()};
    case TypeKind::Float:
    case TypeKind::Duration: return KernelValue{v.get<double>()};
    case TypeKind::Bool: return KernelValue{v.get<bool>()};
    case TypeKind::String:
    case TypeKind::Enum:
    case TypeKind::File:
    case TypeKind::Dir: return KernelValue{v.get<std::string>()};
    case TypeKind::Tensor: {
      std::string why;
      std::optional<Tensor> x = load_tensor(v.get<std::string>(), why);
      if (!x) {
        error = fmt::format("input '{}' ({}): {}", p.name, v.get<std::string>(), why);
        return std::nullopt;
      }
      return KernelValue{std::move(*x)};
    }
    case TypeKind::List: {
      TypeId e = types.get(t).elem;
      if (types.kind(e) == TypeKind::Int) return KernelValue{v.get<std::vector<int64_t>>()};
      if (types.kind(e) != TypeKind::Tensor) break;
      std::vector<Tensor> xs;
      for (const Value& item : v) {
        std::string why;
        std::optional<Tensor> x = load_tensor(item.get<std::string>(), why);
        if (!x) {
          error = fmt::format("input '{}' ({}): {}", p.name, item.get<std::string>(), why);
          return std::nullopt;
        }
        xs.push_back(std::move(*x));
      }
      return KernelValue{std::move(xs)};
    }
    default: break;
  }
  error = fmt::format("input '{}': a builtin kernel cannot take a {}", p.name, types.str(p.type));
  return std::nullopt;
}

/// Publishes tensor `x`, the value of `origin`, as the .npy file `path`, checked against
/// `spec`, and keeps it in memory. False with `error`.
bool publish(const TensorSpec& spec, const Tensor& x, const std::string& path,
             const std::string& origin, ShapeBindings& b, std::string& error) {
  std::string why;
  if (!x.valid() || !bind_tensor(spec, tensor::dtype_name(x.dtype()), x.shape(), origin, b, why)) {
    error = fmt::format("{}: {}", origin, x.valid() ? why : "the kernel returned no data");
    return false;
  }
  if (!write_npy(path, std::string(tensor::dtype_name(x.dtype())), x.shape(), x.data(), x.bytes(),
                 why)) {
    error = fmt::format("cannot write {}: {}", origin, why);
    return false;
  }
  TensorCache::process().put(path, x);
  return true;
}

/// Result `v` of output `o` as a run-time value, its files published in `node_dir`.
std::optional<Value> from_kernel(const ir::Module& m, const ir::Output& o, KernelValue& v,
                                 const std::string& node_dir, ShapeBindings& b,
                                 std::string& error) {
  const TypeTable& types = m.types;
  TypeId t = strip_optional(types, o.type);
  std::string origin = "output " + o.name;
  auto wrong = [&]() -> std::optional<Value> {
    error = fmt::format("{}: the kernel returned a value of another type than {}", origin,
                        types.str(o.type));
    return std::nullopt;
  };
  if (std::holds_alternative<std::monostate>(v)) {
    if (types.kind(o.type) == TypeKind::Optional) return Value(nullptr);
    return wrong();
  }
  switch (types.kind(t)) {
    case TypeKind::Int:
    case TypeKind::Size:
      if (auto* x = std::get_if<int64_t>(&v)) return Value(*x);
      return wrong();
    case TypeKind::Float:
    case TypeKind::Duration:
      if (auto* x = std::get_if<double>(&v)) {
        if (!std::isfinite(*x)) {
          error = fmt::format("{} is {}, not a finite number", origin, *x);
          return std::nullopt;
        }
        return Value(*x);
      }
      if (auto* x = std::get_if<int64_t>(&v)) return Value(static_cast<double>(*x));
      return wrong();
    case TypeKind::Bool:
      if (auto* x = std::get_if<bool>(&v)) return Value(*x);
      return wrong();
    case TypeKind::String:
    case TypeKind::Enum:
      if (auto* x = std::get_if<std::string>(&v)) return Value(*x);
      return wrong();
    case TypeKind::File:
    case TypeKind::Dir: {
      auto* x = std::get_if<std::string>(&v);
      if (x == nullptr) return wrong();
      std::string dest = node_dir + "/" + o.name;
      std::error_code ec;
      fs::remove_all(dest, ec);
      fs::rename(*x, dest, ec);
      if (ec) {
        error = fmt::format("cannot keep {} ({}): {}", origin, *x, ec.message());
        return std::nullopt;
      }
      return Value(dest);
    }
    case TypeKind::Tensor: {
      auto* x = std::get_if<Tensor>(&v);
      if (x == nullptr) return wrong();
      std::string path = node_dir + "/" + o.name + ".npy";
      if (!publish(types.get(t).tensor, *x, path, origin, b, error)) return std::nullopt;
      return Value(path);
    }
    case TypeKind::List: {
      TypeId e = types.get(t).elem;
      if (types.kind(e) == TypeKind::Int) {
        if (auto* x = std::get_if<std::vector<int64_t>>(&v)) return Value(*x);
        return wrong();
      }
      auto* xs = std::get_if<std::vector<Tensor>>(&v);
      if (types.kind(e) != TypeKind::Tensor || xs == nullptr) return wrong();
      Value out = Value::array();
      for (size_t i = 0; i < xs->size(); ++i) {
        std::string path = fmt::format("{}/{}.{}.npy", node_dir, o.name, i);
        if (!publish(types.get(e).tensor, (*xs)[i], path, fmt::format("{}[{}]", origin, i), b,
                     error))
          return std::nullopt;
        out.push_back(path);
      }
      return out;
    }
    default: break;
  }
  return wrong();
}

/// Sets `stop` when `cancel` becomes true or `timeout_s` passes, until destroyed.
class Watchdog {
 public:
  Watchdog(const std::atomic<bool>& cancel, std::optional<double> timeout_s)
      : thread_([this, &cancel, timeout_s] {
          auto start = std::chrono::steady_clock::now();
          std::unique_lock<std::mutex> lock(mu_);
          while (!done_) {
            if (cancel.load()) {
              cancelled_ = true;
              stop_ = true;
              return;
            }
            std::chrono::duration<double> ran = std::chrono::steady_clock::now() - start;
            if (timeout_s && ran.count() >= *timeout_s) {
              timed_out_ = true;
              stop_ = true;
              return;
            }
            cv_.wait_for(lock, std::chrono::milliseconds(10));
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  const std::atomic<bool>& stop() const { return stop_; }
  bool timed_out() const { return timed_out_; }
  bool cancelled() const { return cancelled_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> stop_{false}, timed_out_{false}, cancelled_{false};
  std::thread thread_;
};

/// A non-empty directory's path, else "".
std::string if_not_empty(const std::string& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_directory(dir, ec) && !fs::is_empty(dir, ec) ? dir : "";
}

}  // namespace

std::optional<KernelValue> kernel_arg(const TypeTable& types, const ir::Param& p, const Value& v,
                                      std::string& error) {
  return to_kernel(types, p, v, error);
}

std::optional<Value> kernel_result(const ir::Module& m, const ir::Output& o, KernelValue& v,
                                   const std::string& node_dir, ShapeBindings& b,
                                   std::string& error) {
  return from_kernel(m, o, v, node_dir, b, error);
}

AttemptResult BuiltinRunner::run(const AttemptSpec& spec, const std::atomic<bool>& cancel) {
  AttemptResult r;
  const ir::Module& m = *spec.module;
  const ir::Task& t = *spec.task;
  const std::string& name = std::get<ir::Runner::Builtin>(t.runner.body).kernel;
  const tensor::KernelInfo* kernel = tensor::find_kernel(name);
  if (kernel == nullptr || kernel->cpu == nullptr) {
    r.error = fmt::format("this runtime has no kernel '{}'", name);
    return r;
  }
  std::error_code ec;
  std::string work = spec.attempt_dir + "/work";
  fs::remove_all(spec.attempt_dir, ec);  // left by an attempt a killed run started
  fs::create_directories(work, ec);
  if (!ec && !spec.checkpoint_dir.empty()) fs::create_directories(spec.checkpoint_dir, ec);
  if (ec) {
    r.error = fmt::format("cannot create '{}': {}", work, ec.message());
    return r;
  }
  ShapeBindings bindings;
  if (!check_tensor_inputs(m, t, spec.args, bindings, r.error)) return r;
  std::vector<KernelValue> args;
  for (const ir::Param& p : t.inputs) {
    std::optional<KernelValue> v =
        to_kernel(m.types, p, spec.args.contains(p.name) ? spec.args[p.name] : Value(), r.error);
    if (!v) return r;
    args.push_back(std::move(*v));
  }
  tensor::KernelContext ctx;
  ir::Attributes defaults;
  const ir::Attributes& a = spec.attributes != nullptr ? *spec.attributes : defaults;
  ctx.threads = std::max(1, static_cast<int>(std::ceil(a.cpu)));
  ctx.attempt = spec.attempt;
  ctx.work_dir = work;
  std::optional<double> every = a.checkpoint_every_s ? a.checkpoint_every_s : t.checkpoint_every_s;
  if (every) {
    ctx.checkpoint_dir = spec.checkpoint_dir;
    ctx.prev_checkpoint_dir = if_not_empty(spec.prev_checkpoint_dir);
    ctx.checkpoint_every_s = *every;
  }
  std::vector<KernelValue> results;
  {
    Watchdog watch(cancel, spec.timeout_s);
    ctx.cancel = &watch.stop();
    try {
      auto on_gpu = gpu::run_on_gpu(name, a.placement, args, ctx);
      results = on_gpu ? std::move(*on_gpu) : kernel->cpu(args, ctx);
    } catch (const std::exception& e) {
      r.error = e.what();
    } catch (...) {
      r.error = "the kernel failed";
    }
    args.clear();  // the inputs' memory, before the outputs are written
    if (watch.cancelled()) {
      r.status = AttemptResult::Status::Cancelled;
      r.error = "cancelled";
      return r;
    }
    if (watch.timed_out()) {
      r.status = AttemptResult::Status::TimedOut;
      r.error = fmt::format("timed out after {}s", *spec.timeout_s);
      return r;
    }
  }
  if (!r.error.empty()) return r;
  if (results.size() != t.outputs.size()) {
    r.error = fmt::format("kernel '{}' returned {} values for {} outputs", name, results.size(),
                          t.outputs.size());
    return r;
  }
  r.outputs = Value::object();
  for (size_t i = 0; i < t.outputs.size(); ++i) {
    std::optional<Value> v =
        from_kernel(m, t.outputs[i], results[i], spec.node_dir, bindings, r.error);
    if (!v) return r;
    r.outputs[t.outputs[i].name] = std::move(*v);
  }
  r.status = AttemptResult::Status::Ok;
  return r;
}

}  // namespace flyte::rt
