// ml.softmax_regression (full-batch gradient descent on mean cross-entropy), ml.predict
// and ml.accuracy. Weights are (D + 1) x C with the bias as the last row.
//
// One epoch reads x from memory once: each thread walks its rows in blocks small enough
// to stay in cache, and for each block computes the logits, the softmax, the residual
// P - onehot(y), and adds residual^T * block to its own gradient while the block is still
// cached (softmax_gradient_block, vectorised by hand: OpenBLAS's GEMMs re-pack the block
// and the weights at every call, which costs more than the math at C = 10). The threads
// take ranges of rows in turn, each range with its own gradient, added in range order, so
// a run is deterministic for a given thread count.
#include <cblas.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "backends/local/runtime/tensor/Checkpoint.h"
#include "backends/local/runtime/tensor/KernelUtil.h"
#include "backends/local/runtime/tensor/Kernels.h"
#include "backends/local/runtime/tensor/Parallel.h"
#include "backends/local/runtime/tensor/SoftmaxGradient.h"

namespace flyte::rt::tensor {

namespace {

constexpr int64_t kBlockRows = 64;
// Rows per fused forward and backward step of an epoch (x block 98 KB at D = 784).
constexpr int64_t kGradientBlockRows = 32;
// Row ranges per thread in an epoch, and the most floats their gradients may hold.
constexpr int kChunksPerThread = 8;
constexpr int64_t kMaxChunkGradientFloats = int64_t{1} << 24;
// Without a policy from the task (checkpoint_every_s == 0), a checkpoint every this many
// epochs, and after the last.
constexpr int64_t kDefaultCheckpointEpochs = 5;

void check_features(const Tensor& x, std::string_view kernel) {
  require_rank(x, 2, kernel, "x");
  if (x.dtype() != DType::F32)
    fail(kernel, "x must be f32, not " + std::string(dtype_name(x.dtype())));
}

int64_t label_at(const Tensor& y, int64_t i) {
  return y.dtype() == DType::I32 ? y.as<int32_t>()[i] : y.as<int64_t>()[i];
}

void check_labels(const Tensor& y, int64_t n, std::string_view kernel) {
  require_rank(y, 1, kernel, "y");
  if (y.dtype() != DType::I64 && y.dtype() != DType::I32)
    fail(kernel, "y must be i64, not " + std::string(dtype_name(y.dtype())));
  if (y.dim(0) != n)
    fail(kernel, "x has " + std::to_string(n) + " rows but y has " + std::to_string(y.dim(0)));
}

// logits[r, :] = x[r, :] * w[:d, :] + w[d, :] for `rows` rows.
void logits_block(const float* x, int64_t rows, int64_t d, const float* w, int64_t c, float* out) {
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(out + r * c, w + d * c, sizeof(float) * static_cast<size_t>(c));
  if (d > 0)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows),
                static_cast<int>(c), static_cast<int>(d), 1.0f, x, static_cast<int>(d), w,
                static_cast<int>(c), 1.0f, out, static_cast<int>(c));
}

// The predicted class of each row of x under w.
Tensor predict_rows(const Tensor& w, const Tensor& x, KernelContext& ctx, std::string_view kernel) {
  check_features(x, kernel);
  require_rank(w, 2, kernel, "w");
  if (w.dtype() != DType::F32)
    fail(kernel, "w must be f32, not " + std::string(dtype_name(w.dtype())));
  int64_t n = x.dim(0), d = x.dim(1), c = w.dim(1);
  if (w.dim(0) != d + 1)
    fail(kernel, "w is " + shape_text(w.shape()) + " but x is " + shape_text(x.shape()) +
                     "; w must have D + 1 = " + std::to_string(d + 1) + " rows");
  if (c < 1) fail(kernel, "w has no classes (" + shape_text(w.shape()) + ")");
  single_threaded_blas();
  Tensor out = Tensor::allocate(DType::I64, {n});
  int64_t* o = out.mutable_as<int64_t>();
  parallel_for(threads_of(ctx), n, 4 * kBlockRows, [&](int64_t lo, int64_t hi) {
    std::vector<float> logits(static_cast<size_t>(kBlockRows * c));
    for (int64_t r0 = lo; r0 < hi; r0 += kBlockRows) {
      int64_t rows = std::min(kBlockRows, hi - r0);
      logits_block(x.as<float>() + r0 * d, rows, d, w.as<float>(), c, logits.data());
      for (int64_t r = 0; r < rows; ++r) {
        const float* l = logits.data() + r * c;
        int64_t best = 0;
        for (int64_t j = 1; j < c; ++j)
          if (l[j] > l[best]) best = j;
        o[r0 + r] = best;
      }
    }
  });
  return out;
}

}  // namespace

namespace kernels {

std::vector<KernelValue> softmax_regression(std::span<const KernelValue> args, KernelContext& ctx) {
  constexpr std::string_view kName = "softmax_regression";
  const Tensor& x = arg<Tensor>(args, 0, kName, "x");
  const Tensor& y = arg<Tensor>(args, 1, kName, "y");
  int64_t c = arg<int64_t>(args, 2, kName, "classes");
  int64_t epochs = arg<int64_t>(args, 3, kName, "epochs");
  double lr = arg<double>(args, 4, kName, "lr");
  check_features(x, kName);
  int64_t n = x.dim(0), d = x.dim(1);
  check_labels(y, n, kName);
  if (c < 1) fail(kName, "classes must be at least 1, got " + std::to_string(c));
  if (epochs < 0) fail(kName, "epochs must not be negative, got " + std::to_string(epochs));
  for (int64_t i = 0; i < n; ++i) {
    int64_t l = label_at(y, i);
    if (l < 0 || l >= c)
      fail(kName, "row " + std::to_string(i) + " has label " + std::to_string(l) +
                      ", outside [0, " + std::to_string(c) + ")");
  }
  single_threaded_blas();
  const int64_t wsize = (d + 1) * c;
  Tensor w = Tensor::allocate(DType::F32, {d + 1, c});
  float* wp = w.mutable_as<float>();
  std::fill(wp, wp + wsize, 0.0f);

  int64_t start = 0;
  if (auto prev = load_checkpoint(ctx.prev_checkpoint_dir, kName)) {
    auto it = prev->tensors.find("w");
    if (it != prev->tensors.end() && it->second.dtype() == DType::F32 &&
        it->second.shape() == w.shape() && prev->step >= 0 && prev->step <= epochs) {
      std::memcpy(wp, it->second.data(), w.bytes());
      start = prev->step;
    }
  }

  int threads = threads_of(ctx);
  // The rows are cut into `chunks` ranges, a few per thread, which the threads take in
  // turn: a thread slowed by other work on the machine leaves its share to the others.
  // Each range has its own gradient (the weights transposed, C x D, then the C biases),
  // added in range order, so a run is deterministic for a given thread count whichever
  // thread takes which range.
  const int64_t chunks = std::min({(n + kGradientBlockRows - 1) / kGradientBlockRows,
                                   std::max<int64_t>(threads, kMaxChunkGradientFloats / wsize),
                                   int64_t{kChunksPerThread} * threads});
  std::vector<std::vector<float>> grads(static_cast<size_t>(chunks),
                                        std::vector<float>(static_cast<size_t>(wsize)));
  std::vector<int32_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    labels[static_cast<size_t>(i)] = static_cast<int32_t>(label_at(y, i));
  std::vector<float> wt(static_cast<size_t>(wsize));
  const float* xp = x.as<float>();
  int64_t saved_step = start;
  auto last_save = std::chrono::steady_clock::now();
  auto save = [&](int64_t step) {
    Checkpoint cp;
    cp.step = step;
    cp.tensors["w"] = w;
    save_checkpoint(ctx.checkpoint_dir, cp, kName);
    saved_step = step;
    last_save = std::chrono::steady_clock::now();
  };

  for (int64_t epoch = start; epoch < epochs; ++epoch) {
    // wt = [w[:d]^T | w[d]]: the C x D weights, then the C biases.
    for (int64_t k = 0; k < d; ++k)
      for (int64_t j = 0; j < c; ++j) wt[static_cast<size_t>(j * d + k)] = wp[k * c + j];
    std::copy(wp + d * c, wp + wsize, wt.begin() + d * c);
    try {
      std::atomic<int64_t> next{0};
      parallel_for(threads, std::min<int64_t>(threads, chunks), 1, [&](int64_t, int64_t) {
        std::vector<float> p(static_cast<size_t>(kGradientBlockRows * c));
        for (int64_t ch = next++; ch < chunks; ch = next++) {
          float* g = grads[static_cast<size_t>(ch)].data();
          std::fill(g, g + wsize, 0.0f);
          for (int64_t r0 = ch * n / chunks, hi = (ch + 1) * n / chunks; r0 < hi;
               r0 += kGradientBlockRows) {
            check_cancelled(ctx);
            int64_t rows = std::min(kGradientBlockRows, hi - r0);
            softmax_gradient_block(xp + r0 * d, labels.data() + r0, rows, d, c, wt.data(),
                                   wt.data() + d * c, p.data(), g, g + d * c);
          }
        }
      });
    } catch (const KernelError&) {
      // Cancelled (or failed) mid-epoch: keep what the finished epochs reached.
      if (!ctx.checkpoint_dir.empty() && saved_step < epoch) save(epoch);
      throw;
    }
    const float step = n > 0 ? static_cast<float>(lr / static_cast<double>(n)) : 0.0f;
    auto total = [&](int64_t i) {
      float t = 0;
      for (const auto& g : grads) t += g[static_cast<size_t>(i)];
      return t;
    };
    for (int64_t k = 0; k < d; ++k)
      for (int64_t j = 0; j < c; ++j) wp[k * c + j] -= step * total(j * d + k);
    for (int64_t j = 0; j < c; ++j) wp[d * c + j] -= step * total(d * c + j);
    if (!ctx.checkpoint_dir.empty()) {
      int64_t done = epoch + 1;
      bool due = ctx.checkpoint_every_s > 0
                     ? std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save)
                               .count() >= ctx.checkpoint_every_s
                     : done % kDefaultCheckpointEpochs == 0;
      if (due || done == epochs) save(done);
    }
  }
  return one(std::move(w));
}

std::vector<KernelValue> predict(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& w = arg<Tensor>(args, 0, "predict", "w");
  const Tensor& x = arg<Tensor>(args, 1, "predict", "x");
  return one(predict_rows(w, x, ctx, "predict"));
}

std::vector<KernelValue> accuracy(std::span<const KernelValue> args, KernelContext& ctx) {
  const Tensor& w = arg<Tensor>(args, 0, "accuracy", "w");
  const Tensor& x = arg<Tensor>(args, 1, "accuracy", "x");
  const Tensor& y = arg<Tensor>(args, 2, "accuracy", "y");
  check_features(x, "accuracy");
  check_labels(y, x.dim(0), "accuracy");
  if (x.dim(0) == 0) fail("accuracy", "x has no rows");
  Tensor pred = predict_rows(w, x, ctx, "accuracy");
  int64_t right = 0;
  for (int64_t i = 0; i < x.dim(0); ++i) right += pred.as<int64_t>()[i] == label_at(y, i) ? 1 : 0;
  return one(static_cast<double>(right) / static_cast<double>(x.dim(0)));
}

}  // namespace kernels
}  // namespace flyte::rt::tensor
