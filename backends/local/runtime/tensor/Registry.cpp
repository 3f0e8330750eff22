// The table of CPU kernels by builtin name (find_kernel, all_kernels).
#include <algorithm>
#include <array>

#include "backends/local/runtime/tensor/Kernel.h"
#include "backends/local/runtime/tensor/Kernels.h"

namespace flyte::rt::tensor {

namespace {

namespace k = kernels;

// Sorted by name (checked once, below), for binary search.
constexpr std::array kKernels = {
    KernelInfo{"ml.accuracy", k::accuracy},
    KernelInfo{"ml.kmeans", k::kmeans},
    KernelInfo{"ml.linear_regression", k::linear_regression},
    KernelInfo{"ml.make_blobs", k::make_blobs},
    KernelInfo{"ml.predict", k::predict},
    KernelInfo{"ml.softmax_regression", k::softmax_regression},
    KernelInfo{"tensor.add", k::add},
    KernelInfo{"tensor.argmax", k::argmax},
    KernelInfo{"tensor.concat_rows", k::concat_rows},
    KernelInfo{"tensor.div", k::div},
    KernelInfo{"tensor.exp", k::exp},
    KernelInfo{"tensor.full", k::full},
    KernelInfo{"tensor.load_csv", k::load_csv},
    KernelInfo{"tensor.load_npy", k::load_npy},
    KernelInfo{"tensor.log", k::log},
    KernelInfo{"tensor.matmul", k::matmul},
    KernelInfo{"tensor.mean", k::mean},
    KernelInfo{"tensor.mul", k::mul},
    KernelInfo{"tensor.one_hot", k::one_hot},
    KernelInfo{"tensor.random", k::random},
    KernelInfo{"tensor.relu", k::relu},
    KernelInfo{"tensor.save_npy", k::save_npy},
    KernelInfo{"tensor.scale", k::scale},
    KernelInfo{"tensor.sigmoid", k::sigmoid},
    KernelInfo{"tensor.softmax", k::softmax},
    KernelInfo{"tensor.split_rows", k::split_rows},
    KernelInfo{"tensor.sub", k::sub},
    KernelInfo{"tensor.sum", k::sum},
    KernelInfo{"tensor.tanh", k::tanh},
    KernelInfo{"tensor.transpose", k::transpose},
    KernelInfo{"tensor.zeros", k::zeros},
};

static_assert(std::is_sorted(kKernels.begin(), kKernels.end(),
                             [](const KernelInfo& a, const KernelInfo& b) {
                               return a.name < b.name;
                             }));

}  // namespace

const KernelInfo* find_kernel(std::string_view name) {
  auto it = std::lower_bound(kKernels.begin(), kKernels.end(), name,
                             [](const KernelInfo& a, std::string_view n) { return a.name < n; });
  return it != kKernels.end() && it->name == name ? &*it : nullptr;
}

std::span<const KernelInfo> all_kernels() { return kKernels; }

}  // namespace flyte::rt::tensor
