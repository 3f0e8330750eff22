// Run directories.
#include "backends/local/runtime/RunDir.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "support/AtomicFile.h"
#include "support/ReadFile.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

std::string new_id() {
  std::time_t now = std::time(nullptr);
  std::random_device rd;
  return fmt::format("{:%Y%m%d-%H%M%S}-{:04x}", fmt::localtime(now), rd() & 0xffff);
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() < 100 && id.find('/') == std::string::npos && id != "." &&
         id != "..";
}

}  // namespace

RunDir::RunDir(std::string root, std::string id)
    : root_(std::move(root)), id_(std::move(id)), path_(root_ + "/" + id_) {}

RunDir::RunDir(RunDir&& other) noexcept
    : root_(std::move(other.root_)),
      id_(std::move(other.id_)),
      path_(std::move(other.path_)),
      lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

RunDir& RunDir::operator=(RunDir&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    root_ = std::move(other.root_);
    id_ = std::move(other.id_);
    path_ = std::move(other.path_);
    lock_fd_ = other.lock_fd_;
    other.lock_fd_ = -1;
  }
  return *this;
}

RunDir::~RunDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool RunDir::lock(std::string& error) {
  lock_fd_ = ::open((path_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    error = fmt::format("cannot lock run '{}': {}", id_, std::strerror(errno));
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    error = fmt::format("run '{}' is in use by another process", id_);
    return false;
  }
  return true;
}

std::optional<RunDir> RunDir::create(const std::string& root, std::string& error) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    error = fmt::format("cannot create run directory '{}': {}", root, ec.message());
    return std::nullopt;
  }
  for (int tries = 0; tries < 100; ++tries) {
    RunDir d(root, new_id());
    if (!fs::create_directory(d.path_, ec)) {
      if (ec) {
        error = fmt::format("cannot create '{}': {}", d.path_, ec.message());
        return std::nullopt;
      }
      continue;  // taken: another run started in the same second
    }
    if (!d.lock(error)) return std::nullopt;
    if (!write_file_atomically(root + "/latest", d.id_ + "\n", error)) return std::nullopt;
    return d;
  }
  error = "cannot find a free run id";
  return std::nullopt;
}

std::optional<RunDir> RunDir::open(const std::string& root, const std::string& id,
                                   std::string& error) {
  std::string chosen = id;
  if (chosen.empty()) {
    std::string text, ignored;
    read_file_bounded(root + "/latest", text, ignored, {4096, false});
    chosen = text.substr(0, text.find('\n'));
    if (chosen.empty()) {
      error = fmt::format("no run to resume in '{}'", root);
      return std::nullopt;
    }
  }
  if (!valid_id(chosen) || !fs::is_directory(root + "/" + chosen)) {
    error = fmt::format("no run '{}' in '{}'", chosen, root);
    return std::nullopt;
  }
  RunDir d(root, chosen);
  if (!d.lock(error)) return std::nullopt;
  return d;
}

std::optional<Value> RunDir::read_meta(std::string& error) const {
  std::string text, why;
  if (!read_file_bounded(path_ + "/run.json", text, why)) {
    error = why == std::strerror(ENOENT)
                ? fmt::format("run '{}' has no run.json", id_)
                : fmt::format("run '{}' has a damaged run.json: it {}", id_, why);
    return std::nullopt;
  }
  Value v = parse_json(text, why).value_or(Value());
  if (!v.is_object() || !v.contains("inputs") || !v.contains("plan") || !v["plan"].is_string() ||
      !v.contains("workflow") || !v["workflow"].is_string()) {
    error = fmt::format("run '{}' has a damaged run.json", id_);
    return std::nullopt;
  }
  return v;
}

bool RunDir::write_meta(const Value& meta, std::string& error) const {
  return write_file_atomically(
      path_ + "/run.json", meta.dump(2, ' ', false, Value::error_handler_t::replace) + "\n", error);
}

bool RunDir::write_status(const Value& status, std::string& error) const {
  return write_file_atomically(path_ + "/status.json",
                               status.dump(2, ' ', false, Value::error_handler_t::replace) + "\n",
                               error);
}

}  // namespace flyte::rt
