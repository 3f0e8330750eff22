// The `fit` task of examples/mnist.flyte: softmax regression by full-batch gradient
// descent, in C++. It checkpoints the weights after every epoch through flyte::Context,
// so that a retried or resumed attempt continues from the last finished epoch.
#include <flyte/task.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace mnist {

/// `struct Split { x: Tensor<f32, [N, D]>, y: Tensor<i64, [N]> }`
struct Split {
  flyte::Tensor<float> x;
  flyte::Tensor<int64_t> y;
};

namespace {

// The checkpoint: the next epoch, then the weights.
std::string encode(int64_t next_epoch, const flyte::Tensor<float>& w) {
  std::string s(sizeof next_epoch + w.size() * sizeof(float), '\0');
  std::memcpy(s.data(), &next_epoch, sizeof next_epoch);
  std::memcpy(s.data() + sizeof next_epoch, w.data(), w.size() * sizeof(float));
  return s;
}

bool decode(const std::string& s, int64_t& next_epoch, flyte::Tensor<float>& w) {
  if (s.size() != sizeof next_epoch + w.size() * sizeof(float)) return false;
  std::memcpy(&next_epoch, s.data(), sizeof next_epoch);
  std::memcpy(w.data(), s.data() + sizeof next_epoch, w.size() * sizeof(float));
  return true;
}

// One epoch of gradient descent on the mean cross-entropy.
void step(const Split& data, int64_t classes, double lr, flyte::Tensor<float>& w) {
  const int64_t n = data.x.dim(0), d = data.x.dim(1);
  std::vector<double> grad(static_cast<size_t>(d * classes), 0.0);
  std::vector<double> p(static_cast<size_t>(classes));
  for (int64_t i = 0; i < n; ++i) {
    double top = -INFINITY;
    for (int64_t c = 0; c < classes; ++c) {
      double z = 0;
      for (int64_t k = 0; k < d; ++k) z += double(data.x.at(i, k)) * w.at(k, c);
      p[c] = z;
      top = std::max(top, z);
    }
    double sum = 0;
    for (double& v : p) sum += (v = std::exp(v - top));
    for (int64_t c = 0; c < classes; ++c) {
      double g = p[c] / sum - (data.y[i] == c ? 1.0 : 0.0);
      for (int64_t k = 0; k < d; ++k) grad[k * classes + c] += g * data.x.at(i, k);
    }
  }
  for (size_t j = 0; j < grad.size(); ++j)
    w[j] -= float(lr * grad[j] / double(std::max<int64_t>(n, 1)));
}

}  // namespace

flyte::Tensor<float> fit(const Split& data, int64_t classes, int64_t epochs, double lr,
                         flyte::Context& ctx) {
  if (data.x.rank() != 2 || data.y.rank() != 1 || data.y.dim(0) != data.x.dim(0))
    throw std::invalid_argument("fit: x must be [N, D] and y [N]");
  if (classes <= 0) throw std::invalid_argument("fit: classes must be positive");
  for (int64_t label : data.y) {
    if (label < 0 || label >= classes)
      throw std::invalid_argument("fit: label " + std::to_string(label) + " is out of range");
  }
  flyte::Tensor<float> w({data.x.dim(1), classes});
  int64_t epoch = 0;
  if (auto saved = ctx.restore_checkpoint(); saved && decode(*saved, epoch, w))
    ctx.log("resuming at epoch " + std::to_string(epoch));
  for (; epoch < epochs; ++epoch) {
    if (ctx.cancelled()) throw std::runtime_error("fit: cancelled");
    step(data, classes, lr, w);
    ctx.save_checkpoint(encode(epoch + 1, w));
  }
  return w;
}

}  // namespace mnist
