// What a person sees of a run: the `--events FILE` JSON lines (started, finished,
// failed, cached, retried, skipped, each with a timestamp) and, on a terminal, a live
// progress line on stderr.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "backends/local/runtime/Effects.h"

namespace flyte::rt {

struct Counters {
  std::atomic<int64_t> done{0}, running{0}, cached{0}, failed{0}, total_tasks{0};
};

class Events {
 public:
  /// `path` empty: no events file. `progress`: draw the progress line (a terminal).
  Events(const std::string& path, bool progress, std::string& error);
  ~Events();
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  /// Writes one event line: `{"time": <unix seconds>, "event": kind, ...fields}`.
  void emit(const std::string& kind, nlohmann::json fields);
  /// Prints a line on stderr without tearing the progress line.
  void log(const std::string& line);
  Counters& counters() { return counters_; }
  /// Takes events' timestamps from `clock` (a fake, in tests) from now on; call before
  /// the first event.
  void use_clock(Clock& clock) { clock_ = &clock; }
  /// Stops the progress line and clears it.
  void stop();

 private:
  void draw(bool final);
  FILE* file_ = nullptr;
  Clock* clock_ = &Clock::system();
  bool progress_ = false;
  Counters counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread ticker_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace flyte::rt
