// The store of the node mode: its run.json, node records and markers.
#include "backends/local/runtime/NodeStore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "support/AtomicFile.h"
#include "support/ReadFile.h"

namespace flyte::rt {
namespace fs = std::filesystem;
namespace {

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

/// A small JSON file of the store: nullopt with `error` when missing or damaged.
std::optional<Value> read_json(const std::string& path, std::string& error) {
  std::string text, why;
  if (!read_file_bounded(path, text, why, {size_t{256} << 20, false})) {
    error = fmt::format("cannot read '{}': {}", path, why);
    return std::nullopt;
  }
  std::optional<Value> v = parse_json(text, why);
  if (!v || !v->is_object()) {
    error = fmt::format("'{}' is damaged: {}", path, v ? "not a JSON object" : why);
    return std::nullopt;
  }
  return v;
}

bool write(const std::string& path, const std::string& text, std::string& error) {
  std::string why;
  if (write_file_atomically(path, text, why)) return true;
  error = write_error(path, errno);
  return false;
}

/// fsyncs every regular file directly in `dir` and in its subdirectories other than the
/// attempts' (a task's outputs, restored cache entries), then `dir` itself.
void sync_tree(const fs::path& dir, bool top) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (top && name.rfind("attempt-", 0) == 0) continue;
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      sync_tree(e.path(), false);
    } else if (e.is_regular_file(ec)) {
      int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
      }
    }
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool same_meta(const Value& a, const Value& b) {
  return a.value("workflow", Value()) == b.value("workflow", Value()) &&
         a.value("plan", Value()) == b.value("plan", Value()) &&
         canonical(a.value("inputs", Value())) == canonical(b.value("inputs", Value()));
}

}  // namespace

const char* NodeStore::state_name(State s) {
  switch (s) {
    case State::Pending: return "pending";
    case State::Running: return "running";
    case State::Done: return "done";
    case State::Skipped: return "skipped";
    case State::Failed: return "failed";
  }
  return "pending";
}

int NodeStore::init(const std::string& dir, const Value& meta, std::string& error) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "nodes", ec);
  if (ec || !fs::is_directory(fs::path(dir) / "nodes", ec)) {
    error = fmt::format("cannot create the store '{}': {}", dir,
                        ec ? ec.message() : "it is not a directory");
    return 2;
  }
  std::string run_json = dir + "/run.json";
  if (!exists(run_json)) {
    // Written beside, then linked into place: of two jobs initializing at once, one wins
    // and the other compares with it.
    std::string tmp = fmt::format("{}/.run.json.{}", dir, ::getpid());
    if (!write(tmp, meta.dump(2) + "\n", error)) return 2;
    int rc = ::link(tmp.c_str(), run_json.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) return 0;
    if (err != EEXIST) {
      error = write_error(run_json, err);
      return 2;
    }
  }
  std::optional<Value> old = read_json(run_json, error);
  if (!old) return 2;
  if (!same_meta(*old, meta)) {
    error = fmt::format(
        "the store '{}' was initialized with other inputs (or by another plan or workflow); "
        "use another store",
        dir);
    return 2;
  }
  return 1;
}

std::optional<NodeStore> NodeStore::open(const std::string& dir, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = fmt::format("the store '{}' does not exist; create it with --init", dir);
    return std::nullopt;
  }
  std::optional<Value> meta = read_json(dir + "/run.json", error);
  if (!meta) {
    error = fmt::format("'{}' is not a usable store: {}", dir, error);
    return std::nullopt;
  }
  return NodeStore(fs::absolute(dir).lexically_normal().string(), std::move(*meta));
}

NodeStore::State NodeStore::state(const std::string& key) const {
  std::string d = node_dir(key);
  if (exists(d + "/done")) return State::Done;
  if (exists(d + "/skipped")) return State::Skipped;
  if (exists(d + "/failed")) return State::Failed;
  if (exists(d + "/running")) return State::Running;
  return State::Pending;
}

std::optional<Value> NodeStore::value(const std::string& key, std::string& error) const {
  std::optional<Value> m = read_json(node_dir(key) + "/manifest.json", error);
  if (!m) return std::nullopt;
  if (!m->contains("value") || m->value("node", "") != key) {
    error = fmt::format("'{}/manifest.json' is damaged: it is not node {}'s", node_dir(key), key);
    return std::nullopt;
  }
  return (*m)["value"];
}

Failure NodeStore::failure(const std::string& key) const {
  std::string error;
  Failure f{key, "", "failed (its record is damaged)", ""};
  std::optional<Value> v = read_json(node_dir(key) + "/failed", error);
  if (!v) return f;
  auto str = [&](const char* k) {
    return (*v).contains(k) && (*v)[k].is_string() ? (*v)[k].get<std::string>() : std::string();
  };
  f.task = str("task");
  if (!str("error").empty()) f.error = str("error");
  f.log_tail = str("log_tail");
  if (!str("node").empty()) f.node = str("node");
  return f;
}

std::string NodeStore::skip_reason(const std::string& key) const {
  std::string error;
  std::optional<Value> v = read_json(node_dir(key) + "/skipped", error);
  return v && v->contains("reason") && (*v)["reason"].is_string()
             ? (*v)["reason"].get<std::string>()
             : "";
}

bool NodeStore::publish_done(const std::string& key, const Value& value, std::string& error) const {
  std::string d = node_dir(key);
  std::error_code ec;
  fs::create_directories(d, ec);
  sync_tree(d, true);
  Value manifest = {{"node", key}, {"state", "done"}, {"value", value}};
  if (!write(d + "/manifest.json", canonical(manifest) + "\n", error)) return false;
  return write(d + "/done", "done\n", error);
}

bool NodeStore::adopt(const std::string& key, const std::string& dir, const Value& value,
                      bool& lost, std::string& error) const {
  lost = false;
  std::error_code ec;
  sync_tree(dir, true);
  Value manifest = {{"node", key}, {"state", "done"}, {"value", value}};
  bool ok = write(dir + "/manifest.json", canonical(manifest) + "\n", error) &&
            write(dir + "/done", "done\n", error);
  if (ok) {
    fs::create_directories(path_ + "/nodes", ec);
    // rename(2) replaces an empty directory (one a pod that never ran left) and refuses
    // one with something in it.
    if (::rename(dir.c_str(), node_dir(key).c_str()) == 0) {
      int fd = ::open((path_ + "/nodes").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
      }
      return true;
    }
    if (errno == ENOTEMPTY || errno == EEXIST) {
      lost = true;
    } else {
      error = fmt::format("cannot publish node '{}' in '{}': {}", key, node_dir(key),
                          std::strerror(errno));
    }
  }
  fs::remove_all(dir, ec);
  return false;
}

bool NodeStore::publish_skipped(const std::string& key, const std::string& why,
                                std::string& error) const {
  std::string d = node_dir(key);
  std::error_code ec;
  fs::create_directories(d, ec);
  return write(d + "/skipped", canonical(Value{{"node", key}, {"reason", why}}) + "\n", error);
}

bool NodeStore::publish_failed(const std::string& key, const Failure& f, std::string& error) const {
  std::string d = node_dir(key);
  std::error_code ec;
  fs::create_directories(d, ec);
  Value v = {{"node", f.node.empty() ? key : f.node},
             {"task", f.task},
             {"error", f.error},
             {"log_tail", f.log_tail}};
  return write(d + "/failed", canonical(v) + "\n", error);
}

void NodeStore::mark_running(const std::string& key) const {
  std::string d = node_dir(key);
  std::error_code ec;
  fs::create_directories(d, ec);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::string ignored;
  write_file_atomically(d + "/running",
                        canonical(Value{{"host", host}, {"pid", ::getpid()}}) + "\n", ignored,
                        /*durable=*/false);
}

void NodeStore::clear_running(const std::string& key) const {
  std::error_code ec;
  fs::remove(node_dir(key) + "/running", ec);
}

void NodeStore::clear_failed(const std::string& key) const {
  std::error_code ec;
  fs::remove(node_dir(key) + "/failed", ec);
}

std::vector<std::string> NodeStore::keys() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(path_ + "/nodes", ec)) {
    if (e.is_directory(ec)) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace flyte::rt
