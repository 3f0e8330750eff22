// The CUDA plugin's loader: tensor tasks placed on the CPU never load it; without a GPU
// (or without the plugin) GPU-placed tasks fall back to the CPU; with a GPU, its kernels
// agree with the CPU's (skipped where no GPU is visible).
#include <gtest/gtest.h>

#include <cmath>

#include "backends/local/runtime/gpu/Gpu.h"
#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt {
namespace {

using tensor::KernelValue;
using tensor::Tensor;

std::vector<KernelValue> cpu(std::string_view name, const std::vector<KernelValue>& args) {
  tensor::KernelContext ctx;
  return tensor::find_kernel(name)->cpu(args, ctx);
}

std::optional<std::vector<KernelValue>> gpu(std::string_view name,
                                            const std::vector<KernelValue>& args) {
  tensor::KernelContext ctx;
  return gpu::run_on_gpu(name, ir::Placement::Gpu, args, ctx);
}

TEST(GpuLoader, CpuPlacementAndCpuModeStayOnTheCpu) {
  tensor::KernelContext ctx;
  std::vector<KernelValue> args{std::vector<int64_t>{4, 4}, 1.0};
  EXPECT_FALSE(gpu::run_on_gpu("tensor.full", ir::Placement::Cpu, args, ctx));
  EXPECT_FALSE(gpu::run_on_gpu("tensor.full", ir::Placement::None, args, ctx));
  gpu::set_device_mode(gpu::DeviceMode::Cpu);
  EXPECT_FALSE(gpu::run_on_gpu("tensor.full", ir::Placement::Gpu, args, ctx));
  gpu::set_device_mode(gpu::DeviceMode::Auto);
}

TEST(GpuLoader, WithoutAGpuTheCpuRuns) {
  std::string why;
  if (gpu::gpu_available(&why)) GTEST_SKIP() << "a GPU is visible";
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(gpu("tensor.full", {std::vector<int64_t>{2, 3}, 1.5}));
  std::string error;
  EXPECT_FALSE(gpu::use_device("gpu", error));
  EXPECT_NE(error.find("--device gpu: "), std::string::npos) << error;
  EXPECT_TRUE(gpu::use_device("auto", error));
}

// The largest difference between two f32 tensors of the same shape.
double max_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    d = std::max(d, std::fabs(static_cast<double>(a.as<float>()[i]) - b.as<float>()[i]));
  return d;
}

TEST(GpuKernels, AgreeWithTheCpu) {
  if (!gpu::gpu_available()) GTEST_SKIP() << "no GPU visible";
  for (const char* dist : {"normal", "uniform"}) {
    std::vector<KernelValue> args{std::vector<int64_t>{300, 200}, int64_t{11}, std::string(dist)};
    auto on_gpu = gpu("tensor.random", args);
    ASSERT_TRUE(on_gpu);
    Tensor want = std::get<Tensor>(cpu("tensor.random", args)[0]);
    EXPECT_LE(max_diff(std::get<Tensor>((*on_gpu)[0]), want), 1e-6) << dist;
  }
  Tensor a = std::get<Tensor>(cpu("tensor.random", {std::vector<int64_t>{64, 48}, int64_t{1}})[0]);
  Tensor b = std::get<Tensor>(cpu("tensor.random", {std::vector<int64_t>{48, 32}, int64_t{2}})[0]);
  auto mm = gpu("tensor.matmul", {a, b});
  ASSERT_TRUE(mm);
  Tensor c = std::get<Tensor>((*mm)[0]);
  EXPECT_LE(max_diff(c, std::get<Tensor>(cpu("tensor.matmul", {a, b})[0])), 1e-3);
  for (const char* op : {"tensor.relu", "tensor.sigmoid", "tensor.tanh", "tensor.exp",
                         "tensor.softmax", "tensor.transpose"}) {
    auto on_gpu = gpu(op, {c});
    ASSERT_TRUE(on_gpu) << op;
    EXPECT_LE(max_diff(std::get<Tensor>((*on_gpu)[0]), std::get<Tensor>(cpu(op, {c})[0])), 1e-4)
        << op;
  }
  auto sum = gpu("tensor.sum", {c});
  ASSERT_TRUE(sum);
  double want = std::get<double>(cpu("tensor.sum", {c})[0]);
  EXPECT_NEAR(std::get<double>((*sum)[0]), want, 1e-6 * std::fabs(want) + 1e-6);
  auto am = gpu("tensor.argmax", {c});
  ASSERT_TRUE(am);
  Tensor got = std::get<Tensor>((*am)[0]);
  Tensor expect = std::get<Tensor>(cpu("tensor.argmax", {c})[0]);
  for (int64_t i = 0; i < got.numel(); ++i)
    EXPECT_EQ(got.as<int64_t>()[i], expect.as<int64_t>()[i]);
}

}  // namespace
}  // namespace flyte::rt
