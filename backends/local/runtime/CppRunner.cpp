// C++ task attempts, the entry points the generated glue registers, and the runtime's
// side of flyte/glue.h (tensors as .npy files and in the process's tensor cache).
#include "backends/local/runtime/CppRunner.h"

#include <flyte/glue.h>
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "backends/local/runtime/TensorRef.h"
#include "backends/local/runtime/tensor/NpyIO.h"
#include "support/AtomicFile.h"
#include "support/ReadFile.h"

namespace flyte {
namespace {

std::map<std::string, glue::TaskFn>& entry_points() {
  static std::map<std::string, glue::TaskFn> table;
  return table;
}

}  // namespace

namespace glue {

bool register_task(const char* task, TaskFn fn) {
  entry_points()[task] = fn;
  return true;
}

NpyData read_npy(const std::string& path) {
  std::string error;
  std::optional<rt::tensor::Tensor> t = rt::load_tensor(path, error);
  if (!t) throw std::runtime_error(error);
  auto keep = std::make_shared<rt::tensor::Tensor>(*t);
  return {std::string(rt::tensor::dtype_name(t->dtype())), t->shape(), keep->data(), keep};
}

std::string write_npy(Out& out, const std::string& dtype, const std::vector<int64_t>& shape,
                      const void* data, size_t bytes) {
  std::optional<rt::tensor::DType> d = rt::tensor::parse_dtype(dtype);
  if (!d) throw std::runtime_error("a tensor of unknown element type '" + dtype + "'");
  rt::tensor::Tensor t = rt::tensor::Tensor::allocate(*d, shape);
  if (t.bytes() != bytes) throw std::runtime_error("a tensor whose data does not fill its shape");
  if (bytes > 0) std::memcpy(t.mutable_data(), data, bytes);
  std::string path = fmt::format("{}.{}.npy", out.dir, out.written++);
  rt::tensor::write_npy_tensor(path, t, "cpp");
  rt::TensorCache::process().put(path, t);
  return path;
}

}  // namespace glue

namespace rt {
namespace fs = std::filesystem;
namespace {

constexpr const char* kState = "/state";

class AttemptContext final : public Context {
 public:
  AttemptContext(const AttemptSpec& spec, const std::atomic<bool>& cancel, std::string log_path)
      : spec_(spec),
        cancel_(cancel),
        log_path_(std::move(log_path)),
        start_(std::chrono::steady_clock::now()) {}

  int attempt() const override { return spec_.attempt; }
  std::string device() const override {
    return spec_.visible_gpus ? "cuda:" + *spec_.visible_gpus : "cpu";
  }
  void log(std::string_view line) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::ofstream(log_path_, std::ios::app) << line << "\n";
  }
  bool cancelled() const override { return cancel_ || timed_out(); }
  void save_checkpoint(std::string_view state) override {
    std::string error;
    if (!write_file_atomically(spec_.checkpoint_dir + kState, state, error))
      throw std::runtime_error("cannot save the checkpoint: " + error);
  }
  std::optional<std::string> restore_checkpoint() override {
    std::string text, error;
    if (!read_file_bounded(spec_.checkpoint_dir + kState, text, error, {size_t{1} << 34, false}))
      return std::nullopt;
    return text;
  }
  Path checkpoint_dir() const override { return Path(spec_.checkpoint_dir); }
  std::optional<Path> previous_checkpoint_dir() const override {
    if (spec_.prev_checkpoint_dir.empty()) return std::nullopt;
    return Path(spec_.prev_checkpoint_dir);
  }
  bool timed_out() const {
    if (!spec_.timeout_s) return false;
    std::chrono::duration<double> d = std::chrono::steady_clock::now() - start_;
    return d.count() > *spec_.timeout_s;
  }

 private:
  const AttemptSpec& spec_;
  const std::atomic<bool>& cancel_;
  std::string log_path_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
};

}  // namespace

AttemptResult CppRunner::run(const AttemptSpec& spec, const std::atomic<bool>& cancel) {
  AttemptResult r;
  const ir::Task& t = *spec.task;
  auto it = entry_points().find(t.name);
  if (it == entry_points().end()) {
    r.error = fmt::format(
        "task '{}' has no compiled C++ function in this executable: build it with flytec build",
        t.name);
    return r;
  }
  std::error_code ec;
  fs::remove_all(spec.attempt_dir, ec);  // left by an attempt a killed run started
  fs::create_directories(spec.checkpoint_dir, ec);
  if (ec) {
    r.error = fmt::format("cannot create '{}': {}", spec.checkpoint_dir, ec.message());
    return r;
  }
  // The checkpoint carries over from attempt to attempt, across resumed runs too.
  if (!spec.prev_checkpoint_dir.empty() && fs::exists(spec.prev_checkpoint_dir + kState, ec))
    fs::copy_file(spec.prev_checkpoint_dir + kState, spec.checkpoint_dir + kState, ec);
  r.log = spec.attempt_dir + "/stderr.log";
  AttemptContext ctx(spec, cancel, r.log);
  glue::Out out{fmt::format("{}/attempt-{}", spec.node_dir, spec.attempt), 0};
  fs::create_directories(spec.node_dir, ec);
  std::string text;
  try {
    text = it->second(spec.args.dump(), ctx, out);
  } catch (const std::exception& e) {
    r.error = fmt::format("the C++ function threw: {}", e.what());
    ctx.log(r.error);
    return r;
  } catch (...) {
    r.error = "the C++ function threw an exception that is not a std::exception";
    ctx.log(r.error);
    return r;
  }
  if (cancel) {
    r.status = AttemptResult::Status::Cancelled;
    r.error = "cancelled";
    return r;
  }
  if (ctx.timed_out()) {
    r.status = AttemptResult::Status::TimedOut;
    r.error = fmt::format("timed out after {}s", *spec.timeout_s);
    return r;
  }
  std::optional<Value> v = parse_json(text, r.error);
  if (!v || !v->is_object()) {
    if (r.error.empty()) r.error = "the C++ glue returned no object";
    return r;
  }
  r.outputs = Value::object();
  for (const ir::Output& o : t.outputs) {
    Value value = v->contains(o.name) ? (*v)[o.name] : Value();
    std::string why;
    if (!check_value(value, spec.module->types, o.type, why)) {
      r.error = fmt::format("output '{}' ({}): {}", o.name, spec.module->types.str(o.type), why);
      return r;
    }
    r.outputs[o.name] = std::move(value);
  }
  r.status = AttemptResult::Status::Ok;
  return r;
}

}  // namespace rt
}  // namespace flyte
