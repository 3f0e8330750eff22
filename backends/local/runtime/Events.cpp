// Events and progress.
#include "backends/local/runtime/Events.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flyte::rt {

Events::Events(const std::string& path, bool progress, std::string& error) : progress_(progress) {
  if (!path.empty()) {
    file_ = std::fopen(path.c_str(), "a");
    if (file_ == nullptr)
      error = fmt::format("cannot open the events file '{}': {}", path, std::strerror(errno));
  }
  if (progress_) {
    ticker_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stopping_) {
        draw(false);
        cv_.wait_for(lock, std::chrono::milliseconds(100));
      }
    });
  }
}

Events::~Events() {
  stop();
  if (file_ != nullptr) std::fclose(file_);
}

void Events::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (progress_) {
    std::lock_guard<std::mutex> lock(mu_);
    draw(true);
  }
}

void Events::emit(const std::string& kind, nlohmann::json fields) {
  if (file_ == nullptr) return;
  fields["time"] = clock_->now();
  fields["event"] = kind;
  std::string line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  // One write per line, flushed at once: a reader (or a crash) never sees half a line
  // that a later line follows.
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

void Events::log(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (progress_) std::fputs("\r\033[K", stderr);
  std::fputs((line + "\n").c_str(), stderr);
  if (progress_ && !stopping_) draw(false);
}

// Called with mu_ held.
void Events::draw(bool final) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string s = fmt::format("[{} done, {} running, {} cached, {} failed] {:.1f}s",
                              counters_.done.load(), counters_.running.load(),
                              counters_.cached.load(), counters_.failed.load(), elapsed);
  std::fputs(final ? "\r\033[K" : ("\r\033[K" + s).c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace flyte::rt
