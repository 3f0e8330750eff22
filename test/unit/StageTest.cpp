// The GPU stage executor on the host-memory device: which tensors stay resident, which
// are written, that a finished stage is never recomputed, that a stopped one runs again
// whole, and that a failing node fails the stage with its name.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "backends/local/runtime/Npy.h"
#include "backends/local/runtime/TensorRef.h"
#include "backends/local/runtime/gpu/HostDevice.h"
#include "backends/local/runtime/gpu/Stage.h"

namespace flyte::rt {
namespace {

namespace fs = std::filesystem;
using gpu::Stage;
using gpu::StageArg;
using gpu::StageNode;
using tensor::KernelValue;
using tensor::Tensor;

Tensor matrix(int64_t rows, int64_t cols, float start) {
  Tensor t = Tensor::allocate(tensor::DType::F32, {rows, cols});
  for (int64_t i = 0; i < t.numel(); ++i)
    t.mutable_as<float>()[i] = start + static_cast<float>(i % 7) - 3.0f;
  return t;
}

std::vector<KernelValue> cpu(std::string_view name, std::vector<KernelValue> args) {
  tensor::KernelContext ctx;
  return tensor::find_kernel(name)->cpu(args, ctx);
}

StageNode node(std::string key, std::string kernel, std::vector<StageArg> args,
               std::vector<bool> leaves = {}) {
  StageNode n;
  n.key = std::move(key);
  n.kernel = std::move(kernel);
  n.args = std::move(args);
  n.leaves = std::move(leaves);
  return n;
}

// random -> matmul(., b) -> relu (leaves), and sum of the product (leaves).
Stage chain(const Tensor& b) {
  Stage s;
  s.number = 2;
  s.nodes.push_back(
      node("%0", "tensor.random",
           {StageArg::outside(std::vector<int64_t>{6, 5}), StageArg::outside(int64_t{7}),
            StageArg::outside(std::string("normal"))}));
  s.nodes.push_back(node("%1", "tensor.matmul", {StageArg::from(0), StageArg::outside(b)}));
  s.nodes.push_back(node("%2", "tensor.relu", {StageArg::from(1)}, {true}));
  s.nodes.push_back(node("%3", "tensor.sum", {StageArg::from(1)}, {true}));
  return s;
}

std::set<std::string> files(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

class StageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("flytec-stage-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  tensor::KernelContext ctx_;
};

TEST_F(StageTest, IntermediatesStayOnTheDeviceAndLeavingOutputsAreWrittenOnce) {
  Tensor b = matrix(5, 4, 0.5f);
  gpu::HostDevice dev;
  gpu::StageOutputs out = gpu::run_stage(chain(b), dev, dir_, ctx_);
  EXPECT_FALSE(out.resumed);
  // Only b comes in; only relu's tensor goes out; sum's scalar comes back as a value.
  EXPECT_EQ(dev.stats().uploads, 1);
  EXPECT_EQ(dev.stats().downloads, 1);
  EXPECT_EQ(dev.stats().kernels, 4);
  EXPECT_EQ(dev.stats().resident, 0);
  EXPECT_LE(dev.stats().peak_resident, 4);
  EXPECT_EQ(files(dir_), (std::set<std::string>{"_2.o.npy", "stage.json"}));
  ASSERT_EQ(out.values.size(), 4U);
  EXPECT_FALSE(out.values[0][0]);
  EXPECT_FALSE(out.values[1][0]);

  // The same values as the nodes run one by one on the CPU.
  Tensor a = std::get<Tensor>(
      cpu("tensor.random", {std::vector<int64_t>{6, 5}, int64_t{7}, std::string("normal")})[0]);
  Tensor c = std::get<Tensor>(cpu("tensor.matmul", {a, b})[0]);
  Tensor relu = std::get<Tensor>(cpu("tensor.relu", {c})[0]);
  std::string why;
  std::optional<Tensor> written = load_tensor(std::get<std::string>(*out.values[2][0]), why);
  ASSERT_TRUE(written) << why;
  ASSERT_EQ(written->shape(), relu.shape());
  for (int64_t i = 0; i < relu.numel(); ++i)
    EXPECT_EQ(written->as<float>()[i], relu.as<float>()[i]);
  EXPECT_EQ(std::get<double>(*out.values[3][0]), std::get<double>(cpu("tensor.sum", {c})[0]));
}

TEST_F(StageTest, AnOutsideTensorIsUploadedOnce) {
  Tensor a = matrix(3, 3, 1.0f);
  Stage s;
  s.nodes.push_back(node("%0", "tensor.add", {StageArg::outside(a), StageArg::outside(a)}));
  s.nodes.push_back(node("%1", "tensor.mul", {StageArg::from(0), StageArg::outside(a)}, {true}));
  gpu::HostDevice dev;
  gpu::run_stage(s, dev, dir_, ctx_);
  EXPECT_EQ(dev.stats().uploads, 1);
  EXPECT_EQ(dev.stats().downloads, 1);
}

TEST_F(StageTest, AFinishedStageIsNeverRunAgain) {
  Tensor b = matrix(5, 4, 0.5f);
  gpu::HostDevice first;
  gpu::StageOutputs one = gpu::run_stage(chain(b), first, dir_, ctx_);
  gpu::HostDevice second;
  gpu::StageOutputs two = gpu::run_stage(chain(b), second, dir_, ctx_);
  EXPECT_TRUE(two.resumed);
  EXPECT_EQ(second.stats().kernels, 0);
  EXPECT_EQ(second.stats().uploads, 0);
  EXPECT_EQ(std::get<std::string>(*two.values[2][0]), std::get<std::string>(*one.values[2][0]));
  EXPECT_EQ(std::get<double>(*two.values[3][0]), std::get<double>(*one.values[3][0]));
  EXPECT_FALSE(two.values[1][0]);
  // Other inputs: the manifest does not count, and the stage runs.
  gpu::HostDevice third;
  EXPECT_FALSE(gpu::run_stage(chain(matrix(5, 4, 1.5f)), third, dir_, ctx_).resumed);
  EXPECT_EQ(third.stats().kernels, 4);
}

TEST_F(StageTest, AFailingNodeFailsTheStageByNameAndTheStageRunsAgainWhole) {
  Tensor b = matrix(5, 4, 0.5f);
  Stage bad = chain(b);
  bad.nodes[0].leaves = {true};  // written before the failure
  bad.nodes[1].args[1] = StageArg::outside(matrix(3, 4, 0.0f));
  gpu::HostDevice dev;
  try {
    gpu::run_stage(bad, dev, dir_, ctx_);
    FAIL() << "the stage should fail";
  } catch (const gpu::StageError& e) {
    EXPECT_EQ(e.node, "%1");
    EXPECT_EQ(std::string(e.what()).rfind("stage 2: %1 (tensor.matmul): matmul: ", 0), 0U)
        << e.what();
  }
  EXPECT_TRUE(fs::exists(dir_ + "/_0.o.npy"));
  EXPECT_FALSE(fs::exists(dir_ + "/stage.json"));
  EXPECT_EQ(dev.stats().resident, 0);
  // As after kill -9 mid-stage: no manifest, so every node runs again, the finished
  // node before the failure included.
  Stage good = chain(b);
  good.nodes[0].leaves = {true};
  gpu::HostDevice again;
  gpu::StageOutputs out = gpu::run_stage(good, again, dir_, ctx_);
  EXPECT_FALSE(out.resumed);
  EXPECT_EQ(again.stats().kernels, 4);
  EXPECT_EQ(files(dir_), (std::set<std::string>{"_0.o.npy", "_2.o.npy", "stage.json"}));
}

TEST_F(StageTest, ACancelledStageStopsBetweenNodes) {
  std::atomic<bool> cancel{true};
  ctx_.cancel = &cancel;
  gpu::HostDevice dev;
  EXPECT_THROW(gpu::run_stage(chain(matrix(5, 4, 0.5f)), dev, dir_, ctx_), gpu::StageError);
  EXPECT_EQ(dev.stats().kernels, 0);
  EXPECT_FALSE(fs::exists(dir_ + "/stage.json"));
}

}  // namespace
}  // namespace flyte::rt
