// The CUDA plugin's loader: tensor tasks placed on the CPU never load it; without a GPU
// (or without the plugin) GPU-placed tasks fall back to the CPU; with a GPU, its kernels
// (std.ml's included, with checkpoints) agree with the CPU's, and a fused stage on the
// GPU gives what the same nodes give one by one (skipped where no GPU is visible).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "backends/local/runtime/TensorRef.h"
#include "backends/local/runtime/gpu/Gpu.h"
#include "backends/local/runtime/gpu/HostDevice.h"
#include "backends/local/runtime/gpu/Stage.h"
#include "backends/local/runtime/tensor/Checkpoint.h"
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

std::pair<Tensor, Tensor> blobs(int64_t n, int64_t d, int64_t centers, int64_t seed) {
  auto out = cpu("ml.make_blobs", {n, d, centers, seed, 1.5});
  return {std::get<Tensor>(out.at(0)), std::get<Tensor>(out.at(1))};
}

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("flytec-gpu-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(GpuKernels, SoftmaxRegressionPredictAndAccuracyAgreeWithTheCpu) {
  if (!gpu::gpu_available()) GTEST_SKIP() << "no GPU visible";
  auto [x, y] = blobs(5000, 16, 4, 3);
  std::vector<KernelValue> args{x, y, int64_t{4}, int64_t{30}, 0.1};
  auto w_gpu = gpu("ml.softmax_regression", args);
  ASSERT_TRUE(w_gpu);
  Tensor w = std::get<Tensor>(cpu("ml.softmax_regression", args)[0]);
  EXPECT_LE(max_diff(std::get<Tensor>((*w_gpu)[0]), w), 1e-3);
  auto pred = gpu("ml.predict", {w, x});
  ASSERT_TRUE(pred);
  Tensor want = std::get<Tensor>(cpu("ml.predict", {w, x})[0]);
  Tensor got = std::get<Tensor>((*pred)[0]);
  int64_t differ = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    differ += got.as<int64_t>()[i] != want.as<int64_t>()[i] ? 1 : 0;
  EXPECT_LE(differ, 2);  // rows on a decision boundary may go either way
  auto acc = gpu("ml.accuracy", {w, x, y});
  ASSERT_TRUE(acc);
  EXPECT_NEAR(std::get<double>((*acc)[0]), std::get<double>(cpu("ml.accuracy", {w, x, y})[0]),
              1e-3);
}

TEST(GpuKernels, SoftmaxRegressionCheckpointsAndResumesAsOnTheCpu) {
  if (!gpu::gpu_available()) GTEST_SKIP() << "no GPU visible";
  auto [x, y] = blobs(777, 4, 3, 1);
  Tensor ref =
      std::get<Tensor>(cpu("ml.softmax_regression", {x, y, int64_t{3}, int64_t{10}, 0.05})[0]);
  tensor::KernelContext first;
  first.checkpoint_dir = temp_dir("ckpt1");
  ASSERT_TRUE(gpu::run_on_gpu("ml.softmax_regression", ir::Placement::Gpu,
                              std::vector<KernelValue>{x, y, int64_t{3}, int64_t{5}, 0.05}, first));
  auto cp = tensor::load_checkpoint(first.checkpoint_dir, "test");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->step, 5);
  tensor::KernelContext retry;
  retry.attempt = 2;
  retry.prev_checkpoint_dir = first.checkpoint_dir;
  retry.checkpoint_dir = temp_dir("ckpt2");
  auto resumed =
      gpu::run_on_gpu("ml.softmax_regression", ir::Placement::Gpu,
                      std::vector<KernelValue>{x, y, int64_t{3}, int64_t{10}, 0.05}, retry);
  ASSERT_TRUE(resumed);
  EXPECT_LE(max_diff(std::get<Tensor>((*resumed)[0]), ref), 1e-4);
  EXPECT_EQ(tensor::load_checkpoint(retry.checkpoint_dir, "test")->step, 10);
  std::filesystem::remove_all(first.checkpoint_dir);
  std::filesystem::remove_all(retry.checkpoint_dir);
}

TEST(GpuKernels, KMeansSeedsExactlyAsTheCpuAndConvergesAlike) {
  if (!gpu::gpu_available()) GTEST_SKIP() << "no GPU visible";
  auto [x, y] = blobs(20000, 8, 6, 5);
  // No iterations: the k-means++ rows themselves, bit for bit.
  std::vector<KernelValue> seeding{x, int64_t{6}, int64_t{0}, int64_t{42}};
  auto seeds = gpu("ml.kmeans", seeding);
  ASSERT_TRUE(seeds);
  EXPECT_EQ(max_diff(std::get<Tensor>((*seeds)[0]), std::get<Tensor>(cpu("ml.kmeans", seeding)[0])),
            0.0);
  std::vector<KernelValue> args{x, int64_t{6}, int64_t{50}, int64_t{42}};
  auto centres = gpu("ml.kmeans", args);
  ASSERT_TRUE(centres);
  EXPECT_LE(max_diff(std::get<Tensor>((*centres)[0]), std::get<Tensor>(cpu("ml.kmeans", args)[0])),
            1e-3);
}

TEST(GpuStage, AFusedStageGivesWhatItsNodesGiveOneByOne) {
  std::string why;
  std::unique_ptr<gpu::Device> dev = gpu::cuda_device(&why);
  if (dev == nullptr) GTEST_SKIP() << why;
  Tensor b =
      std::get<Tensor>(cpu("tensor.random", {std::vector<int64_t>{256, 128}, int64_t{2}})[0]);
  gpu::Stage s;
  auto add = [&](std::string kernel, std::vector<gpu::StageArg> args, bool leaves) {
    gpu::StageNode n;
    n.key = "%" + std::to_string(s.nodes.size());
    n.kernel = std::move(kernel);
    n.args = std::move(args);
    n.leaves = {leaves};
    s.nodes.push_back(std::move(n));
  };
  add("tensor.random",
      {gpu::StageArg::outside(std::vector<int64_t>{512, 256}), gpu::StageArg::outside(int64_t{1}),
       gpu::StageArg::outside(std::string("normal"))},
      false);
  add("tensor.matmul", {gpu::StageArg::from(0), gpu::StageArg::outside(b)}, false);
  add("tensor.relu", {gpu::StageArg::from(1)}, false);
  add("tensor.softmax", {gpu::StageArg::from(2)}, true);
  add("tensor.sum", {gpu::StageArg::from(1)}, true);
  tensor::KernelContext ctx;
  std::string on_gpu = temp_dir("stage-gpu"), on_host = temp_dir("stage-host");
  gpu::StageOutputs fused = gpu::run_stage(s, *dev, on_gpu, ctx);
  EXPECT_EQ(dev->stats().uploads, 1);
  EXPECT_EQ(dev->stats().downloads, 1);
  gpu::HostDevice host;
  gpu::StageOutputs unfused = gpu::run_stage(s, host, on_host, ctx);
  std::string e1, e2;
  auto a = load_tensor(std::get<std::string>(*fused.values[3][0]), e1);
  auto c = load_tensor(std::get<std::string>(*unfused.values[3][0]), e2);
  ASSERT_TRUE(a && c) << e1 << e2;
  EXPECT_LE(max_diff(*a, *c), 1e-5);
  double want = std::get<double>(*unfused.values[4][0]);
  EXPECT_NEAR(std::get<double>(*fused.values[4][0]), want, 1e-5 * std::fabs(want) + 1e-3);
  std::filesystem::remove_all(on_gpu);
  std::filesystem::remove_all(on_host);
}

}  // namespace
}  // namespace flyte::rt
