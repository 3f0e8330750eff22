// The C++ tasks of examples/cpp.flyte: one on tensors, one that checkpoints its progress
// through flyte::Context and resumes from it when it is retried or its run is resumed.
#include <flyte/task.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>

namespace demo {

/// Each column of `x` scaled to mean 0 and standard deviation 1 (a constant column
/// becomes 0).
flyte::Tensor<float> standardize(const flyte::Tensor<float>& x) {
  if (x.rank() != 2) throw std::invalid_argument("standardize: x must be a matrix");
  const int64_t n = x.dim(0), d = x.dim(1);
  flyte::Tensor<float> y({n, d});
  for (int64_t j = 0; j < d; ++j) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; ++i) sum += x.at(i, j);
    double mean = n > 0 ? sum / double(n) : 0;
    for (int64_t i = 0; i < n; ++i) sq += (x.at(i, j) - mean) * (x.at(i, j) - mean);
    double sd = n > 0 ? std::sqrt(sq / double(n)) : 0;
    for (int64_t i = 0; i < n; ++i) y.at(i, j) = sd > 0 ? float((x.at(i, j) - mean) / sd) : 0.0f;
  }
  return y;
}

/// Counts to `n`, one step every `step_ms` milliseconds, saving the count as its
/// checkpoint after each step; returns the total and the count it resumed from.
std::tuple<int64_t, int64_t> count(int64_t n, int64_t step_ms, flyte::Context& ctx) {
  if (n < 0) throw std::invalid_argument("count: n must not be negative");
  int64_t done = 0;
  if (std::optional<std::string> saved = ctx.restore_checkpoint()) done = std::stoll(*saved);
  const int64_t resumed_from = done;
  ctx.log("attempt " + std::to_string(ctx.attempt()) + " starts at " + std::to_string(done));
  while (done < n) {
    if (ctx.cancelled()) throw std::runtime_error("count: cancelled");
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
    ctx.save_checkpoint(std::to_string(++done));
  }
  return {done, resumed_from};
}

}  // namespace demo
