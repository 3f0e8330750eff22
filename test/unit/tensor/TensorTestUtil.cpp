// Test helpers that need the file system.
#include "test/unit/tensor/TensorTestUtil.h"

#include <filesystem>

namespace flyte::rt::tensor::testing {

std::string temp_dir(const std::string& name) {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path p = std::filesystem::temp_directory_path() /
                            ("flyte_tensor_" + std::to_string(::getpid()) + "_" +
                             info->test_suite_name() + "_" + info->name() + "_" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace flyte::rt::tensor::testing
