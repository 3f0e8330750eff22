// Loading the CUDA plugin and running tensor kernels through its C table.
#include "backends/local/runtime/gpu/Gpu.h"

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "backends/local/runtime/gpu/FlytecCuda.h"
#include "backends/local/runtime/gpu/GpuML.h"
#include "backends/local/runtime/gpu/Plugin.h"

#ifndef FLYTEC_CUDA_PLUGIN_DIRS
#define FLYTEC_CUDA_PLUGIN_DIRS ""
#endif

namespace flyte::rt::gpu {
namespace {

namespace fs = std::filesystem;
using tensor::DType;
using tensor::KernelValue;
using tensor::Tensor;

constexpr const char* kPluginName = "libflytec_cuda.so";

std::atomic<DeviceMode> g_mode{DeviceMode::Auto};

struct Plugin {
  const flytec_cuda_api* api = nullptr;  // null: not usable
  std::string why;                       // why not
};

// Where to look for the plugin, in order.
std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("FLYTEC_CUDA_PLUGIN"); env != nullptr && *env != '\0') {
    out.emplace_back(env);
    return out;  // an explicit choice: nothing else
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / kPluginName).string());
    out.push_back((exe.parent_path() / ".." / "lib" / "flytec" / kPluginName).string());
  }
  std::string dirs = FLYTEC_CUDA_PLUGIN_DIRS;
  size_t start = 0;
  while (start < dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (end > start) out.push_back(dirs.substr(start, end - start) + "/" + kPluginName);
    start = end + 1;
  }
  return out;
}

Plugin load() {
  Plugin p;
  std::string tried;
  for (const std::string& path : candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* e = dlerror();
      p.why = "cannot load the CUDA plugin " + path + " (" + (e != nullptr ? e : "?") + ")";
      return p;
    }
    using Entry = const flytec_cuda_api* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "flytec_cuda_api_v1"));
    const flytec_cuda_api* api = entry != nullptr ? entry() : nullptr;
    if (api == nullptr || api->abi_version != FLYTEC_CUDA_ABI_VERSION ||
        api->size < sizeof(flytec_cuda_api)) {
      p.why = "the CUDA plugin " + path + " is of another version";
      return p;
    }
    if (api->device_count() < 1) {
      std::string e = api->last_error();
      p.why = "no GPU visible" + (e.empty() ? std::string() : " (" + e + ")");
      return p;
    }
    p.api = api;
    return p;
  }
  p.why = "no CUDA plugin (" + std::string(kPluginName) + ") found";
  return p;
}

const Plugin& plugin() {
  static const Plugin p = load();
  return p;
}

}  // namespace

const flytec_cuda_api* plugin_api(std::string* why) {
  const Plugin& p = plugin();
  if (why != nullptr) *why = p.why;
  return p.api;
}

namespace {

void notice_once(const std::string& why) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::cerr << "flytec: " << why << "; tensor tasks placed on the GPU run on the CPU\n";
  });
}

// --- arguments ------------------------------------------------------------------------

template <class T>
const T* get(std::span<const KernelValue> args, size_t i) {
  return i < args.size() ? std::get_if<T>(&args[i]) : nullptr;
}

const Tensor* f32(std::span<const KernelValue> args, size_t i, size_t rank = 0) {
  const Tensor* t = get<Tensor>(args, i);
  if (t == nullptr || !t->valid() || t->dtype() != DType::F32) return nullptr;
  if (rank != 0 && t->rank() != rank) return nullptr;
  return t;
}

bool valid_shape(const std::vector<int64_t>& s) {
  for (int64_t d : s) {
    if (d < 0) return false;
  }
  return true;
}

std::vector<KernelValue> one(KernelValue v) {
  std::vector<KernelValue> out;
  out.push_back(std::move(v));
  return out;
}

const std::vector<std::string_view> kBinary = {"tensor.add", "tensor.sub", "tensor.mul",
                                               "tensor.div"};
const std::vector<std::string_view> kUnary = {"tensor.scale", "tensor.relu", "tensor.sigmoid",
                                              "tensor.tanh",  "tensor.exp",  "tensor.log"};

int index_of(const std::vector<std::string_view>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

// The kernel on the GPU; nullopt when the plugin has none for these arguments (the CPU
// kernel then runs, and reports bad arguments in its own words). `status` is the
// plugin's return value. Outputs come from `alloc`; `resident`: the tensors are in
// device memory, which only the plugin may read.
std::optional<std::vector<KernelValue>> dispatch(const flytec_cuda_api& api, std::string_view name,
                                                 std::span<const KernelValue> args, int& status,
                                                 const Allocate& alloc, bool resident) {
  if (name == "tensor.full" || name == "tensor.zeros" || name == "tensor.random") {
    const auto* shape = get<std::vector<int64_t>>(args, 0);
    if (shape == nullptr || !valid_shape(*shape)) return std::nullopt;
    Tensor out = alloc(DType::F32, *shape);
    if (name == "tensor.random") {
      const auto* seed = get<int64_t>(args, 1);
      const auto* dist = get<std::string>(args, 2);
      bool normal = dist == nullptr || *dist == "normal";
      if (!normal && *dist != "uniform") return std::nullopt;
      status = api.random_f32(out.mutable_as<float>(), out.numel(), seed != nullptr ? *seed : 0, 0,
                              normal ? 1 : 0);
    } else {
      const auto* value = get<double>(args, 1);
      if (name == "tensor.full" && value == nullptr) return std::nullopt;
      status = api.fill_f32(out.mutable_as<float>(), out.numel(),
                            value != nullptr ? static_cast<float>(*value) : 0.0f);
    }
    return one(std::move(out));
  }
  if (name == "tensor.matmul") {
    const Tensor* a = f32(args, 0, 2);
    const Tensor* b = f32(args, 1, 2);
    if (a == nullptr || b == nullptr || a->dim(1) != b->dim(0)) return std::nullopt;
    Tensor out = alloc(DType::F32, {a->dim(0), b->dim(1)});
    status = api.matmul_f32(a->as<float>(), b->as<float>(), out.mutable_as<float>(), a->dim(0),
                            a->dim(1), b->dim(1));
    return one(std::move(out));
  }
  if (int op = index_of(kBinary, name); op >= 0) {
    const Tensor* a = f32(args, 0);
    const Tensor* b = f32(args, 1);
    if (a == nullptr || b == nullptr || a->shape() != b->shape()) return std::nullopt;
    Tensor out = alloc(DType::F32, a->shape());
    status =
        api.binary_f32(op, a->as<float>(), b->as<float>(), out.mutable_as<float>(), a->numel());
    return one(std::move(out));
  }
  if (int op = index_of(kUnary, name); op >= 0) {
    const Tensor* x = f32(args, 0);
    const double* by = get<double>(args, 1);
    if (x == nullptr || (op == FLYTEC_SCALE && by == nullptr)) return std::nullopt;
    Tensor out = alloc(DType::F32, x->shape());
    status = api.unary_f32(op, x->as<float>(), out.mutable_as<float>(), x->numel(),
                           by != nullptr ? *by : 0.0);
    return one(std::move(out));
  }
  if (name == "tensor.sum" || name == "tensor.mean") {
    const Tensor* x = f32(args, 0);
    if (x == nullptr || (name == "tensor.mean" && x->numel() == 0)) return std::nullopt;
    double total = 0;
    status = api.sum_f32(x->as<float>(), x->numel(), &total);
    if (name == "tensor.mean") total /= static_cast<double>(x->numel());
    return one(total);
  }
  if (name == "tensor.softmax" || name == "tensor.argmax" || name == "tensor.transpose") {
    const Tensor* x = f32(args, 0, 2);
    if (x == nullptr) return std::nullopt;
    int64_t rows = x->dim(0), cols = x->dim(1);
    if (name != "tensor.transpose" && cols == 0 && rows > 0) return std::nullopt;
    if (name == "tensor.argmax") {
      Tensor out = alloc(DType::I64, {rows});
      status = api.argmax_f32(x->as<float>(), out.mutable_as<int64_t>(), rows, cols);
      return one(std::move(out));
    }
    bool softmax = name == "tensor.softmax";
    Tensor out = alloc(
        DType::F32, softmax ? std::vector<int64_t>{rows, cols} : std::vector<int64_t>{cols, rows});
    status = softmax ? api.softmax_f32(x->as<float>(), out.mutable_as<float>(), rows, cols)
                     : api.transpose_f32(x->as<float>(), out.mutable_as<float>(), rows, cols);
    return one(std::move(out));
  }
  if (name == "tensor.one_hot") {
    const Tensor* y = get<Tensor>(args, 0);
    const auto* classes = get<int64_t>(args, 1);
    if (y == nullptr || !y->valid() || y->dtype() != DType::I64 || y->rank() != 1 ||
        classes == nullptr || *classes < 1)
      return std::nullopt;
    for (int64_t i = 0; !resident && i < y->numel(); ++i) {
      int64_t l = y->as<int64_t>()[i];
      if (l < 0 || l >= *classes) return std::nullopt;  // the CPU kernel names the row
    }
    Tensor out = alloc(DType::F32, {y->dim(0), *classes});
    status = api.one_hot(y->as<int64_t>(), out.mutable_as<float>(), y->dim(0), *classes);
    return one(std::move(out));
  }
  return std::nullopt;
}

void set_device_mode(DeviceMode mode) { g_mode = mode; }
DeviceMode device_mode() { return g_mode; }

bool use_device(const std::string& flag, std::string& error) {
  DeviceMode mode = flag == "cpu"   ? DeviceMode::Cpu
                    : flag == "gpu" ? DeviceMode::Gpu
                                    : DeviceMode::Auto;
  std::string why;
  if (mode == DeviceMode::Gpu && !gpu_available(&why)) {
    error = "--device gpu: " + why;
    return false;
  }
  set_device_mode(mode);
  return true;
}

bool gpu_available(std::string* why) {
  const Plugin& p = plugin();
  if (why != nullptr) *why = p.why;
  return p.api != nullptr;
}

std::optional<std::vector<KernelValue>> run_on_gpu(std::string_view name, ir::Placement placement,
                                                   std::span<const KernelValue> args,
                                                   tensor::KernelContext& ctx) {
  DeviceMode mode = g_mode;
  if (mode == DeviceMode::Cpu || (mode == DeviceMode::Auto && placement != ir::Placement::Gpu))
    return std::nullopt;
  const Plugin& p = plugin();
  if (p.api == nullptr) {
    notice_once(p.why);
    return std::nullopt;
  }
  int status = 0;
  std::optional<std::vector<KernelValue>> out =
      name.starts_with("ml.") ? run_ml(*p.api, name, args, ctx, status)
                              : dispatch(*p.api, name, args, status, &Tensor::allocate, false);
  if (out && status != 0) {
    std::cerr << "flytec: " << name << " failed on the GPU (" << p.api->last_error()
              << "); it runs on the CPU\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace flyte::rt::gpu
