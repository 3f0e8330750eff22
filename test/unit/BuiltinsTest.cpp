// ir/Builtins.def, which the checker accepts, and the kernels the runtime registers are
// the same names.
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "backends/local/runtime/tensor/Kernel.h"

namespace flyte::rt {
namespace {

TEST(BuiltinsTest, EveryNameHasAKernelAndEveryKernelAName) {
  std::vector<std::string_view> names = {
#define FLYTE_BUILTIN(name) name,
#include "ir/Builtins.def"
  };
  for (std::string_view n : names) {
    const tensor::KernelInfo* k = tensor::find_kernel(n);
    EXPECT_TRUE(k != nullptr && k->cpu != nullptr) << "no CPU kernel registered as " << n;
  }
  for (const tensor::KernelInfo& k : tensor::all_kernels()) {
    EXPECT_NE(std::find(names.begin(), names.end(), k.name), names.end())
        << "kernel " << k.name << " is not in ir/Builtins.def";
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << "keep ir/Builtins.def sorted";
}

}  // namespace
}  // namespace flyte::rt
