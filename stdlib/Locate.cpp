// Locating the standard library relative to the flytec binary.
#include "stdlib/Locate.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace flyte {

namespace fs = std::filesystem;

std::optional<std::string> executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  return exe.parent_path().string();
}

std::optional<std::string> find_stdlib_dir() {
  std::error_code ec;
  if (const char* env = std::getenv("FLYTEC_STDLIB_DIR"); env != nullptr && env[0] != '\0') {
    if (fs::is_directory(env, ec)) return fs::path(env).lexically_normal().string();
    return std::nullopt;
  }
  auto dir = executable_dir();
  if (!dir) return std::nullopt;
  fs::path candidate = (fs::path(*dir) / ".." / "share" / "flytec" / "stdlib").lexically_normal();
  if (fs::is_directory(candidate / "std", ec)) return candidate.string();
  return std::nullopt;
}

}  // namespace flyte
