// The real clock, file system and process spawner.
#include "backends/local/runtime/Effects.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include "support/AtomicFile.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

class SystemClock final : public Clock {
 public:
  double now() override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool sleep(double seconds, const std::atomic<bool>& cancel) override {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (cancel) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !cancel;
  }
};

class RealFileSystem final : public FileSystem {
 public:
  bool make_dirs(const std::string& path, std::string& error) override {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) error = write_error(path, ec.value(), "cannot create");
    return !ec;
  }
  std::vector<std::string> list(const std::string& path) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec))
      names.push_back(e.path().filename().string());
    return names;
  }
  bool write_file(const std::string& path, const std::string& text, std::string& error) override {
    if (write_file_atomically(path, text, error, /*durable=*/false)) return true;
    error = write_error(path, errno);
    return false;
  }
  std::optional<FileStamp> stat(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileStamp{st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  }
  std::string full_disk_note(const std::string& path) override {
    return flyte::full_disk_note(path);
  }
};

class RealSpawner final : public ProcessSpawner {
 public:
  ProcessResult run(const ProcessSpec& spec, const std::atomic<bool>& cancel) override {
    return run_process(spec, cancel);
  }
};

}  // namespace

Clock& Clock::system() {
  static SystemClock clock;
  return clock;
}

FileSystem& FileSystem::real() {
  static RealFileSystem fs;
  return fs;
}

ProcessSpawner& ProcessSpawner::real() {
  static RealSpawner spawner;
  return spawner;
}

}  // namespace flyte::rt
