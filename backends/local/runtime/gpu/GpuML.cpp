// std.ml on the GPU: argument checks (anything the CPU kernel would reject runs there, so
// that it reports it), checkpoints through the same API and policy as the CPU kernel.
#include "backends/local/runtime/gpu/GpuML.h"

#include <chrono>
#include <climits>
#include <cstring>
#include <exception>
#include <string>

#include "backends/local/runtime/tensor/Checkpoint.h"

namespace flyte::rt::gpu {
namespace {

using tensor::DType;
using tensor::KernelValue;
using tensor::Tensor;

// As the CPU kernel: without a policy, a checkpoint every this many epochs and after the
// last.
constexpr int64_t kDefaultCheckpointEpochs = 5;

template <class T>
const T* get(std::span<const KernelValue> args, size_t i) {
  return i < args.size() ? std::get_if<T>(&args[i]) : nullptr;
}

const Tensor* f32(std::span<const KernelValue> args, size_t i, size_t rank) {
  const Tensor* t = get<Tensor>(args, i);
  if (t == nullptr || !t->valid() || t->dtype() != DType::F32 || t->rank() != rank) return nullptr;
  return t;
}

bool fits_int(int64_t v) { return v >= 0 && v < INT_MAX; }

// Labels y[n] as i64 when they are i32 or i64 and all in [0, classes).
std::optional<std::vector<int64_t>> labels(const KernelValue& v, int64_t n, int64_t classes) {
  const Tensor* y = std::get_if<Tensor>(&v);
  if (y == nullptr || !y->valid() || y->rank() != 1 || y->dim(0) != n ||
      (y->dtype() != DType::I64 && y->dtype() != DType::I32))
    return std::nullopt;
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t l = y->dtype() == DType::I32 ? y->as<int32_t>()[i] : y->as<int64_t>()[i];
    if (l < 0 || l >= classes) return std::nullopt;
    out[static_cast<size_t>(i)] = l;
  }
  return out;
}

std::vector<KernelValue> one(KernelValue v) {
  std::vector<KernelValue> out;
  out.push_back(std::move(v));
  return out;
}

// What the plugin's hooks see of a training run.
struct Training {
  tensor::KernelContext* ctx = nullptr;
  Tensor w;
  int64_t epochs = 0;
  int64_t saved_step = 0;
  std::chrono::steady_clock::time_point last_save = std::chrono::steady_clock::now();
  std::string error;  // a checkpoint that could not be saved
};

int after_epoch(void* user, int64_t done) {
  auto& t = *static_cast<Training*>(user);
  bool checkpoints = !t.ctx->checkpoint_dir.empty();
  if (t.ctx->cancelled())
    return FLYTEC_EPOCH_STOP | (checkpoints && t.saved_step < done ? FLYTEC_EPOCH_SAVE : 0);
  if (!checkpoints) return 0;
  bool due =
      t.ctx->checkpoint_every_s > 0
          ? std::chrono::duration<double>(std::chrono::steady_clock::now() - t.last_save).count() >=
                t.ctx->checkpoint_every_s
          : done % kDefaultCheckpointEpochs == 0;
  return due || done == t.epochs ? FLYTEC_EPOCH_SAVE : 0;
}

int save(void* user, int64_t done, const float*) {
  auto& t = *static_cast<Training*>(user);
  try {
    tensor::Checkpoint cp;
    cp.step = done;
    cp.tensors["w"] = t.w;  // the plugin has just copied the weights into it
    tensor::save_checkpoint(t.ctx->checkpoint_dir, cp, "softmax_regression");
  } catch (const std::exception& e) {
    t.error = e.what();
    return 1;
  }
  t.saved_step = done;
  t.last_save = std::chrono::steady_clock::now();
  return 0;
}

int poll_cancel(void* user, int64_t) {
  return static_cast<tensor::KernelContext*>(user)->cancelled() ? FLYTEC_EPOCH_STOP : 0;
}

std::optional<std::vector<KernelValue>> softmax_regression(const flytec_cuda_api& api,
                                                           std::span<const KernelValue> args,
                                                           tensor::KernelContext& ctx,
                                                           int& status) {
  const Tensor* x = f32(args, 0, 2);
  const auto* classes = get<int64_t>(args, 2);
  const auto* epochs = get<int64_t>(args, 3);
  const auto* lr = get<double>(args, 4);
  if (x == nullptr || classes == nullptr || epochs == nullptr || lr == nullptr || *classes < 1 ||
      *epochs < 0 || args.size() < 2)
    return std::nullopt;
  int64_t n = x->dim(0), d = x->dim(1), c = *classes;
  if (!fits_int(n) || !fits_int(d + 1) || !fits_int(c) || !fits_int((d + 1) * c))
    return std::nullopt;
  std::optional<std::vector<int64_t>> y = labels(args[1], n, c);
  if (!y) return std::nullopt;

  Training t;
  t.ctx = &ctx;
  t.epochs = *epochs;
  t.w = Tensor::allocate(DType::F32, {d + 1, c});
  float* wp = t.w.mutable_as<float>();
  std::fill(wp, wp + t.w.numel(), 0.0f);
  int64_t start = 0;
  if (auto prev = tensor::load_checkpoint(ctx.prev_checkpoint_dir, "softmax_regression")) {
    auto it = prev->tensors.find("w");
    if (it != prev->tensors.end() && it->second.dtype() == DType::F32 &&
        it->second.shape() == t.w.shape() && prev->step >= 0 && prev->step <= *epochs) {
      std::memcpy(wp, it->second.data(), t.w.bytes());
      start = prev->step;
    }
  }
  t.saved_step = start;
  const float step = n > 0 ? static_cast<float>(*lr / static_cast<double>(n)) : 0.0f;
  flytec_hooks hooks{&t, &after_epoch, &save};
  status = api.softmax_regression_f32(x->as<float>(), y->data(), n, d, c, start, *epochs, step, wp,
                                      &hooks);
  if (!t.error.empty()) throw tensor::KernelError(t.error);
  if (status == FLYTEC_STOPPED) throw tensor::KernelError("cancelled");
  return one(std::move(t.w));
}

// The predicted class of each row, or nullopt.
std::optional<Tensor> predict_rows(const flytec_cuda_api& api, const KernelValue& wv,
                                   const KernelValue& xv, int& status) {
  const Tensor* w = std::get_if<Tensor>(&wv);
  const Tensor* x = std::get_if<Tensor>(&xv);
  if (w == nullptr || x == nullptr || !w->valid() || !x->valid() || w->dtype() != DType::F32 ||
      x->dtype() != DType::F32 || w->rank() != 2 || x->rank() != 2)
    return std::nullopt;
  int64_t n = x->dim(0), d = x->dim(1), c = w->dim(1);
  if (w->dim(0) != d + 1 || c < 1 || !fits_int(n) || !fits_int(d + 1) || !fits_int(c))
    return std::nullopt;
  Tensor out = Tensor::allocate(DType::I64, {n});
  status = api.predict_f32(x->as<float>(), w->as<float>(), n, d, c, out.mutable_as<int64_t>());
  return out;
}

std::optional<std::vector<KernelValue>> kmeans(const flytec_cuda_api& api,
                                               std::span<const KernelValue> args,
                                               tensor::KernelContext& ctx, int& status) {
  const Tensor* x = f32(args, 0, 2);
  const auto* k = get<int64_t>(args, 1);
  const auto* iters = get<int64_t>(args, 2);
  const auto* seed = get<int64_t>(args, 3);
  bool no_seed = args.size() < 4 || std::holds_alternative<std::monostate>(args[3]);
  if (x == nullptr || k == nullptr || iters == nullptr || (seed == nullptr && !no_seed))
    return std::nullopt;
  int64_t n = x->dim(0), d = x->dim(1);
  if (*k < 1 || *k > n || *iters < 0 || d < 1 || !fits_int(n) || !fits_int(d) || !fits_int(*k))
    return std::nullopt;
  Tensor centres = Tensor::allocate(DType::F32, {*k, d});
  flytec_hooks hooks{&ctx, &poll_cancel, nullptr};
  status = api.kmeans_f32(x->as<float>(), n, d, *k, *iters, seed != nullptr ? *seed : 0,
                          centres.mutable_as<float>(), &hooks);
  if (status == FLYTEC_STOPPED) throw tensor::KernelError("cancelled");
  return one(std::move(centres));
}

}  // namespace

std::optional<std::vector<KernelValue>> run_ml(const flytec_cuda_api& api, std::string_view name,
                                               std::span<const KernelValue> args,
                                               tensor::KernelContext& ctx, int& status) {
  if (name == "ml.softmax_regression") return softmax_regression(api, args, ctx, status);
  if (name == "ml.kmeans") return kmeans(api, args, ctx, status);
  if (name != "ml.predict" && name != "ml.accuracy") return std::nullopt;
  if (args.size() < (name == "ml.accuracy" ? 3U : 2U)) return std::nullopt;
  std::optional<std::vector<int64_t>> y;
  if (name == "ml.accuracy") {
    const Tensor* x = std::get_if<Tensor>(&args[1]);
    const Tensor* w = std::get_if<Tensor>(&args[0]);
    if (x == nullptr || w == nullptr || x->rank() != 2 || w->rank() != 2 || x->dim(0) == 0)
      return std::nullopt;
    y = labels(args[2], x->dim(0), INT64_MAX);
    if (!y) return std::nullopt;
  }
  std::optional<Tensor> pred = predict_rows(api, args[0], args[1], status);
  if (!pred) return std::nullopt;
  if (!y) return one(std::move(*pred));
  int64_t right = 0;
  for (int64_t i = 0; i < pred->numel(); ++i)
    right += pred->as<int64_t>()[i] == (*y)[static_cast<size_t>(i)] ? 1 : 0;
  return one(static_cast<double>(right) / static_cast<double>(pred->numel()));
}

}  // namespace flyte::rt::gpu
